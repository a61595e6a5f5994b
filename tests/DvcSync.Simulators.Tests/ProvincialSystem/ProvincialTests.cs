using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Tests.ProvincialSystem;

public class ProvincialTests
{
    private static readonly DateTimeOffset Early = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Late = new(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task Tokens_client_credentials_expiry_and_revocation()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 5);
        await using var _h = host;
        using var p = new Provincial(host);

        using (var wrong = await p.TokenResponseAsync(secret: "nope"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Equal("invalid_client", Sim.Str(JsonNode.Parse(await wrong.Content.ReadAsStringAsync())!["error"]));
        }
        using (var grant = await p.TokenResponseAsync(grant: "password"))
            Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
        using (var ok = await p.TokenResponseAsync())
        {
            var body = JsonNode.Parse(await ok.Content.ReadAsStringAsync())!;
            Assert.Equal("Bearer", Sim.Str(body["token_type"]));
            Assert.Equal(3600, body["expires_in"]!.GetValue<int>());
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await p.GetAsync("api/v1/donvi", null)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.GetAsync("api/v1/donvi", "made-up")).Status);
        var token = await p.TokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await p.GetAsync("api/v1/donvi", token)).Status);
        clock.Advance(TimeSpan.FromSeconds(3599));
        Assert.Equal(HttpStatusCode.OK, (await p.GetAsync("api/v1/donvi", token)).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.GetAsync("api/v1/donvi", token)).Status);

        var second = await p.TokenAsync();
        host.Provincial.RevokeAllTokens();
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.GetAsync("api/v1/donvi", second)).Status);
        var third = await p.TokenAsync();
        using var revoke = await p.Http.PostAsync("_sim/faults", new StringContent("""{"revokeTokens": true}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.GetAsync("api/v1/donvi", third)).Status);
    }

    [Fact]
    public async Task Untrustworthy_pages_a_repeating_cursor_more_dossiers_than_the_limit_and_oversized_dossiers_are_switches()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 100);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        string Page(string? cursor, int limit = 10) => $"api/v1/hoso?{Provincial.Range(Early, Late)}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");

        host.ProvincialFaults.Update(f => f with { RepeatCursor = true });
        var (_, first) = await p.GetAsync(Page(null), token);
        var cursor = Sim.Str(first!["nextCursor"]);
        var (_, second) = await p.GetAsync(Page(cursor), token);
        var (_, third) = await p.GetAsync(Page(Sim.Str(second!["nextCursor"])), token);
        Assert.Equal(cursor, Sim.Str(second["nextCursor"])); // the cursor does not advance...
        Assert.Equal(second["items"]!.ToJsonString(), third!["items"]!.ToJsonString()); // ...so the same page comes again
        Assert.NotEqual(first["items"]![0]!["MaHoSo"]!.ToJsonString(), second["items"]![0]!["MaHoSo"]!.ToJsonString());

        host.ProvincialFaults.Update(f => f with { RepeatCursor = false });
        var (_, reference) = await p.GetAsync(Page(null, limit: 30), token);
        host.ProvincialFaults.Update(f => f with { ExtraItemsPerPage = 7 });
        var (_, bigger) = await p.GetAsync(Page(null), token);
        Assert.Equal(17, bigger!["items"]!.AsArray().Count);
        var (_, next) = await p.GetAsync(Page(Sim.Str(bigger["nextCursor"])), token);
        Assert.Equal(Sim.Str(reference!["items"]![17]!["MaHoSo"]), Sim.Str(next!["items"]![0]!["MaHoSo"])); // the cursor follows the page's last dossier

        host.ProvincialFaults.Update(f => f with { ExtraItemsPerPage = 0, ItemPaddingBytes = 5000 });
        using var padded = await p.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Page(null, limit: 4)) { Headers = { Authorization = new("Bearer", token) } });
        var body = await padded.Content.ReadAsStringAsync();
        Assert.InRange(body.Length, 4 * 5000, 4 * 5000 + 40_000);
        Assert.All(JsonNode.Parse(body)!["items"]!.AsArray(), i => Assert.Equal(5000, Sim.Str(i!["_simPadding"]).Length));
        var (_, one) = await p.GetAsync("api/v1/hoso/" + Sim.Str(first["items"]![0]!["MaHoSo"]), token);
        Assert.Null(one!["_simPadding"]); // a list-page switch: the dossier read on its own is as it is
    }

    [Fact]
    public async Task Paging_returns_every_dossier_once_in_key_order_with_null_cursor_on_the_last_page()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 400);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        var pages = 0;
        var all = await p.ReadAllAsync(token, Early, Late, 37, _ => { pages++; return Task.CompletedTask; });
        Assert.Equal(400, all.Count);
        Assert.Equal(11, pages);
        Assert.Equal(400, all.Select(i => Sim.Str(i["MaHoSo"])).Distinct().Count());
        var keys = all.Select(i => (Sim.Str(i["NgayCapNhat"]), Sim.Str(i["MaHoSo"]))).ToList();
        Assert.Equal(keys.OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal), keys);
        Assert.All(all, i =>
        {
            Assert.True(i["PhienBan"]!.GetValue<long>() >= 1);
            Assert.Contains(Sim.Str(i["TrangThaiDongBo"]), new[] { "0", "1" });
            Assert.NotNull(i["LoiDongBo"]);
            Assert.True(SimTime.TryParseCompact(Sim.Str(i["NgayCapNhat"]), out var at) && at <= Sim.Now);
        });

        // Exactly one full page: the cursor is null.
        var (_, single) = await p.GetAsync($"api/v1/hoso?{Provincial.Range(Early, Late)}&limit=1000", token);
        Assert.Equal(400, single!["items"]!.AsArray().Count);
        Assert.Null(single["nextCursor"]);
        var (_, defaultLimit) = await p.GetAsync($"api/v1/hoso?{Provincial.Range(Early, Late)}", token);
        Assert.Equal(400, defaultLimit!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_range_is_from_inclusive_to_exclusive()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 200);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        var all = await p.ReadAllAsync(token, Early, Late, 1000);
        var pivot = all[100];
        SimTime.TryParseCompact(Sim.Str(pivot["NgayCapNhat"]), out var at);
        var before = await p.ReadAllAsync(token, Early, at, 1000);
        var after = await p.ReadAllAsync(token, at, Late, 1000);
        Assert.Equal(all.Count, before.Count + after.Count);
        Assert.Contains(after, i => Sim.Str(i["MaHoSo"]) == Sim.Str(pivot["MaHoSo"]));
        Assert.DoesNotContain(before, i => Sim.Str(i["MaHoSo"]) == Sim.Str(pivot["MaHoSo"]));
        Assert.Empty(await p.ReadAllAsync(token, at, at, 1000));
    }

    [Fact]
    public async Task A_dossier_changed_while_a_client_pages_moves_to_a_later_position()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 300);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        var order = (await p.ReadAllAsync(token, Early, Late, 1000)).Select(i => Sim.Str(i["MaHoSo"])).ToList();
        var seenEarly = order[5];
        var notYetSeen = order[200];
        var seenVersion = host.Provincial.Get(seenEarly)!.PhienBan;

        var all = await p.ReadAllAsync(token, Early, Late, 50, async page =>
        {
            if (page != 0) return;
            clock.Advance(TimeSpan.FromMinutes(1));
            host.Provincial.SetStatus(seenEarly, 8);
            host.Provincial.Change(notYetSeen, new JsonObject { ["GhiChu"] = "Đã cập nhật" });
            await Task.CompletedTask;
        });

        var codes = all.Select(i => Sim.Str(i["MaHoSo"])).ToList();
        Assert.Equal(order.ToHashSet(), codes.ToHashSet());
        Assert.Equal(301, codes.Count); // the one already read is seen again, the other once
        var twice = all.Where(i => Sim.Str(i["MaHoSo"]) == seenEarly).ToList();
        Assert.Equal(2, twice.Count);
        Assert.Equal(seenVersion + 1, twice[1]["PhienBan"]!.GetValue<long>());
        Assert.Equal("8", Sim.Str(twice[1]["TrangThaiHoSo"]));
        var once = Assert.Single(all, i => Sim.Str(i["MaHoSo"]) == notYetSeen);
        Assert.Equal("Đã cập nhật", Sim.Str(once["GhiChu"]));
        Assert.Equal(SimTime.Compact(clock.GetUtcNow()), Sim.Str(once["NgayCapNhat"]));
    }

    [Theory]
    [InlineData("capNhatDen=2025-02-01T00:00:00%2B07:00")]
    [InlineData("capNhatTu=2025-01-01T00:00:00&capNhatDen=2025-02-01T00:00:00%2B07:00")]
    [InlineData("capNhatTu=2025-01-01&capNhatDen=2025-02-01T00:00:00%2B07:00")]
    [InlineData("capNhatTu=yesterday&capNhatDen=2025-02-01T00:00:00%2B07:00")]
    [InlineData("capNhatTu=2025-03-01T00:00:00%2B07:00&capNhatDen=2025-02-01T00:00:00%2B07:00")]
    [InlineData("capNhatTu=2025-01-01T00:00:00%2B07:00&capNhatDen=2025-02-01T00:00:00%2B07:00&limit=0")]
    [InlineData("capNhatTu=2025-01-01T00:00:00%2B07:00&capNhatDen=2025-02-01T00:00:00%2B07:00&limit=1001")]
    [InlineData("capNhatTu=2025-01-01T00:00:00%2B07:00&capNhatDen=2025-02-01T00:00:00%2B07:00&limit=ten")]
    [InlineData("capNhatTu=2025-01-01T00:00:00%2B07:00&capNhatDen=2025-02-01T00:00:00%2B07:00&cursor=%25%25%25")]
    [InlineData("capNhatTu=2025-01-01T00:00:00%2B07:00&capNhatDen=2025-02-01T00:00:00%2B07:00&cursor=bm90LWpzb24")]
    public async Task Bad_parameters_get_400_with_an_error(string query)
    {
        var (host, _) = await Sim.StartAsync(dossiers: 5);
        await using var _h = host;
        using var p = new Provincial(host);
        var (status, body) = await p.GetAsync($"api/v1/hoso?{query}", await p.TokenAsync());
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrEmpty(Sim.Str(body!["error"])));
    }

    [Theory]
    [InlineData("capNhatTu=2024-12-31T00:00:00Z&capNhatDen=2027-01-01T00:00:00.000%2B07:00")]
    [InlineData("capNhatTu=2025-01-01T00:00:00+07:00&capNhatDen=2027-01-01T00:00%2B0700&limit=1000")]
    public async Task Accepted_forms_of_instants(string query)
    {
        var (host, _) = await Sim.StartAsync(dossiers: 5);
        await using var _h = host;
        using var p = new Provincial(host);
        var (status, body) = await p.GetAsync($"api/v1/hoso?{query}", await p.TokenAsync());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(5, body!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task One_dossier_its_steps_and_404()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 50);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        var code = host.Truth.Entries.First(e => e.TrangThaiHoSo is 9 or 10).MaHoSo;
        var (status, item) = await p.GetAsync($"api/v1/hoso/{code}", token);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(code, Sim.Str(item!["MaHoSo"]));
        Assert.NotNull(item["PhienBan"]);
        var (_, steps) = await p.GetAsync($"api/v1/hoso/{code}/tiendo", token);
        var times = steps!["items"]!.AsArray().Select(s => Sim.Str(s!["ThoiDiemXuLy"])).ToList();
        Assert.True(times.Count >= 3);
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
        Assert.All(steps["items"]!.AsArray(), s => Assert.Equal(code, Sim.Str(s!["MaHoSo"])));

        clock.Advance(TimeSpan.FromMinutes(10));
        host.Provincial.SetStatus(code, 10);
        var (_, after) = await p.GetAsync($"api/v1/hoso/{code}/tiendo", token);
        Assert.Equal(times.Count + 1, after!["items"]!.AsArray().Count);
        Assert.Equal(SimTime.Compact(clock.GetUtcNow()), Sim.Str(after["items"]!.AsArray()[^1]!["ThoiDiemXuLy"]));

        Assert.Equal(HttpStatusCode.NotFound, (await p.GetAsync("api/v1/hoso/000.00.19.H19-990101-00001", token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await p.GetAsync("api/v1/hoso/000.00.19.H19-990101-00001/tiendo", token)).Status);
    }

    [Fact]
    public async Task Agencies_form_a_hierarchy_with_old_districts()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 5);
        await using var _h = host;
        using var p = new Provincial(host);
        var (_, body) = await p.GetAsync("api/v1/donvi", await p.TokenAsync());
        var items = body!["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        var byCode = items.ToDictionary(i => Sim.Str(i["MaDonVi"]));
        var province = Assert.Single(items, i => Sim.Str(i["Cap"]) == "TINH");
        Assert.Equal("000.00.00.H19", Sim.Str(province["MaDonVi"]));
        Assert.Contains(items, i => Sim.Str(i["TenDonVi"]) == "Sở Tư pháp" && Sim.Str(i["MaDonVi"]) == "000.00.19.H19");
        Assert.Contains(items, i => Sim.Str(i["Cap"]) == "HUYEN" && Sim.Str(i["TenDonVi"]).StartsWith("Huyện ", StringComparison.Ordinal));
        Assert.Contains(items, i => Sim.Str(i["Cap"]) == "XA" && Sim.Str(i["MaDonViCha"]) == "000.00.00.H19");
        Assert.Contains(items, i => Sim.Str(i["Cap"]) == "XA" && byCode[Sim.Str(i["MaDonViCha"])]["Cap"]!.GetValue<string>() == "HUYEN");
        Assert.All(items.Where(i => Sim.Str(i["Cap"]) != "TINH"), i => Assert.True(byCode.ContainsKey(Sim.Str(i["MaDonViCha"]))));
        Assert.All(items, i => Assert.EndsWith(".H19", Sim.Str(i["MaDonVi"]), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Received_counts_match_an_independent_count_of_the_ground_truth()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 1500);
        await using var _h = host;
        using var p = new Provincial(host);
        var from = new DateOnly(2025, 3, 1);
        var to = new DateOnly(2025, 8, 31);
        var (status, body) = await p.GetAsync("api/v1/thongke/tiepnhan?tuNgay=2025-03-01&denNgay=2025-08-31", await p.TokenAsync());
        Assert.Equal(HttpStatusCode.OK, status);
        var served = body!["items"]!.AsArray().ToDictionary(
            i => (Sim.Str(i!["MaDonVi"]), Sim.Str(i["Ngay"])), i => i!["SoHoSoTiepNhan"]!.GetValue<int>());

        var expected = host.Truth.Entries.Where(e => e.ReceivedAt is not null)
            .Select(e => (e.MaDonVi, Day: DateOnly.FromDateTime(e.ReceivedAt!.Value.ToOffset(TimeSpan.FromHours(7)).DateTime)))
            .Where(x => x.Day >= from && x.Day <= to)
            .GroupBy(x => (x.MaDonVi, x.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(k => k.Key).ToList(), served.OrderBy(k => k.Key).ToList());
        Assert.True(expected.Values.Sum() > 300);
        Assert.Equal(expected.Values.Sum(), host.Provincial.ReceivedTotal(from, to));
        Assert.Contains(host.Truth.Entries, e => !e.HasValidNgayTiepNhan && e.ReceivedAt is not null); // malformed ones count too

        Assert.Equal(HttpStatusCode.BadRequest, (await p.GetAsync("api/v1/thongke/tiepnhan?tuNgay=2025-03-01", await p.TokenAsync())).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await p.GetAsync("api/v1/thongke/tiepnhan?tuNgay=2025-03-02&denNgay=2025-03-01", await p.TokenAsync())).Status);
    }

    [Fact]
    public async Task Control_routes_change_and_add_dossiers()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 100);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        var code = host.Truth.Entries.First(e => e.TrangThaiHoSo is 2 or 4 or 5 or 6).MaHoSo;
        var before = host.Provincial.Get(code)!;
        clock.Advance(TimeSpan.FromMinutes(10));
        using var change = await p.Http.PostAsync($"_sim/hoso/{code}",
            new StringContent("""{"status": 9, "changes": {"GhiChu": "x"}, "trangThaiDongBo": "0", "loiDongBo": "Lỗi"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        var (_, item) = await p.GetAsync($"api/v1/hoso/{code}", token);
        Assert.Equal("9", Sim.Str(item!["TrangThaiHoSo"]));
        Assert.Equal(SimTime.Compact(clock.GetUtcNow()), Sim.Str(item["NgayKetThucXuLy"]));
        Assert.Equal("x", Sim.Str(item["GhiChu"]));
        Assert.Equal(before.PhienBan + 2, item["PhienBan"]!.GetValue<long>());
        Assert.Equal("0", Sim.Str(item["TrangThaiDongBo"]));
        Assert.Equal("Lỗi", Sim.Str(item["LoiDongBo"]));

        using var add = await p.Http.PostAsync("_sim/hoso", new StringContent("""{"generate": 3, "maDonVi": "000.00.19.H19"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, add.StatusCode);
        var added = JsonNode.Parse(await add.Content.ReadAsStringAsync())!["added"]!.AsArray().Select(a => Sim.Str(a)).ToList();
        Assert.Equal(3, added.Count);
        Assert.All(added, a => Assert.StartsWith("000.00.19.H19-251120-", a, StringComparison.Ordinal));
        Assert.Equal(103, host.Provincial.Count);
        Assert.All(added, a => Assert.Equal(DvcSync.Simulators.Seeding.DossierCategory.AddedAtRuntime, host.Truth.Find(a)!.Category));
        var recent = await p.ReadAllAsync(token, clock.GetUtcNow(), Late, 100);
        Assert.Equal(added.Order(StringComparer.Ordinal), recent.Select(r => Sim.Str(r["MaHoSo"])).Where(added.Contains).Order(StringComparer.Ordinal));

        using var unknown = await p.Http.PostAsync("_sim/hoso/nope", new StringContent("""{"status": 9}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Provincial_faults_and_counters()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 5);
        await using var _h = host;
        using var p = new Provincial(host);
        var token = await p.TokenAsync();
        host.ProvincialFaults.FailNext(1, FaultKind.ServerError);
        host.ProvincialFaults.FailNext(1, FaultKind.TooManyRequests);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await p.GetAsync("api/v1/donvi", token)).Status);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/donvi"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var limited = await p.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.Delta);
        }
        Assert.Equal(HttpStatusCode.OK, (await p.GetAsync("api/v1/donvi", token)).Status);

        host.ProvincialFaults.StartOutage(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await p.GetAsync("api/v1/donvi", token)).Status);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await p.GetAsync("api/v1/donvi", token)).Status);
        Assert.Equal(5, host.Provincial.Counters.Calls("donvi"));
        Assert.Equal(2, host.Provincial.Counters.Outcome("donvi", "http-200"));
        Assert.Equal(1, host.Provincial.Counters.Calls("token"));

        host.ProvincialFaults.FailNext(1, FaultKind.Hang);
        host.ProvincialFaults.Update(s => s with { HangDuration = TimeSpan.FromSeconds(30) });
        using var impatient = Sim.Client(host.ProvincialBaseUrl, TimeSpan.FromMilliseconds(300));
        using var req = new HttpRequestMessage(HttpMethod.Get, "api/v1/donvi");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.SendAsync(req));
    }
}
