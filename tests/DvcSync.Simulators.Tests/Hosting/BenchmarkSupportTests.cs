using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Tests.Hosting;

/// <summary>What the scale benchmarks ask of the simulators: a province wholly in sync, its headers, a busy day.</summary>
public class BenchmarkSupportTests
{
    private static readonly DateTimeOffset Early = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Late = new(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task All_synced_province_has_every_dossier_received_and_current_on_the_portal()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 400, o => o.Scenario.AllSyncedAndCurrent());
        await using var _h = host;

        Assert.Equal(400, host.Portal.Count);
        Assert.Empty(host.Divergent());
        Assert.All(host.Truth.Entries, e => Assert.True(e.HasValidNgayTiepNhan && e.PortalCurrentAtStart));
    }

    [Fact]
    public async Task Headers_carry_the_same_values_as_the_dossiers_the_api_serves()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 400);
        await using var _h = host;
        using var p = new Provincial(host);
        clock.Advance(TimeSpan.FromMinutes(1));
        var changed = host.Truth.Entries.First(e => e.TrangThaiHoSo is 4).MaHoSo;
        host.Provincial.SetStatus(changed, 9);
        host.Provincial.AddGenerated(2);

        var served = (await p.ReadAllAsync(await p.TokenAsync(), Early, Late, 1000))
            .ToDictionary(i => Sim.Str(i["MaHoSo"]), StringComparer.Ordinal);
        using var response = await p.Http.GetAsync("_sim/headers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(h => h!.AsObject()).ToList();

        Assert.Equal(served.Count, headers.Count);
        foreach (var header in headers)
        {
            var item = served[Sim.Str(header["MaHoSo"])];
            foreach (var field in new[] { "MaHoSo", "MaDonVi", "TrangThaiHoSo", "NgayTiepNhan", "NgayCapNhat", "PhienBan", "TrangThaiDongBo", "LoiDongBo" })
                Assert.Equal(item[field]?.ToJsonString(), header[field]?.ToJsonString());
        }
        // Malformed dates, numeric codes and dossiers not yet received are among them, exported as the API does.
        Assert.Contains(headers, h => h["NgayTiepNhan"] is null);
        Assert.Contains(headers, h => h["TrangThaiHoSo"]!.GetValueKind() == System.Text.Json.JsonValueKind.Number);
        Assert.Contains(headers, h => h["NgayTiepNhan"] is { } d && !SimTime.TryParseCompact(Sim.Str(d), out _));
    }

    [Fact]
    public async Task A_busy_day_advances_dossiers_in_progress_and_leaves_the_portal_copies_stale()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 2000, o => o.Scenario.AllSyncedAndCurrent());
        await using var _h = host;
        using var p = new Provincial(host);
        clock.Advance(TimeSpan.FromMinutes(5));
        var before = host.Truth.Entries.ToDictionary(e => e.MaHoSo, e => host.Provincial.Get(e.MaHoSo)!, StringComparer.Ordinal);

        using var response = await p.Http.PostAsync("_sim/changes", new StringContent("""{"count": 25, "seed": 7}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var codes = body["codes"]!.AsArray().Select(c => Sim.Str(c)).ToList();

        Assert.Equal(25, body["changed"]!.GetValue<int>());
        Assert.Equal(25, codes.Distinct().Count());
        foreach (var code in codes)
        {
            var now = host.Provincial.Get(code)!;
            Assert.Equal(before[code].PhienBan + 1, now.PhienBan);
            Assert.True(now.NgayCapNhat >= SimTime.TruncateToSeconds(clock.GetUtcNow()));
            Assert.NotEqual(Sim.Str(before[code].Item["TrangThaiHoSo"]), Sim.Str(now.Item["TrangThaiHoSo"]));
            Assert.Equal(PortalCopyState.Stale, host.ComparePortalCopy(code));
        }
        Assert.Equal(codes.Order(StringComparer.Ordinal), host.Divergent().Order(StringComparer.Ordinal));

        // A window that starts at the change reads exactly the changed dossiers.
        var recent = await p.ReadAllAsync(await p.TokenAsync(), SimTime.TruncateToSeconds(clock.GetUtcNow()), Late, 1000);
        Assert.Equal(codes.Order(StringComparer.Ordinal), recent.Select(r => Sim.Str(r["MaHoSo"])).Order(StringComparer.Ordinal));

        using var bad = await p.Http.PostAsync("_sim/changes", new StringContent("""{"seed": 7}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_sliding_peak_counts_requests_in_any_one_second_window_across_calendar_seconds()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        clock.Set(clock.GetUtcNow().AddMilliseconds(600 - clock.GetUtcNow().Millisecond));
        var session = await portal.SignInAsync();
        for (var i = 0; i < 3; i++) await portal.LookupAsync(session, "x"); // 4 requests at .600 of one second
        clock.Advance(TimeSpan.FromMilliseconds(599));
        for (var i = 0; i < 3; i++) await portal.LookupAsync(session, "x"); // 3 at .199 of the next
        clock.Advance(TimeSpan.FromMilliseconds(401));
        await portal.LookupAsync(session, "x"); // .600: one second after the first four, so not with them

        Assert.Equal(4, host.Portal.Histogram.PeakReceivedPerSecond);
        Assert.Equal(7, host.Portal.Histogram.PeakReceivedInAnyWindow);
        Assert.Equal(7, host.Portal.Histogram.PeakAcceptedInAnyWindow);
        using var stats = await portal.Http.GetAsync("_sim/stats");
        var json = JsonNode.Parse(await stats.Content.ReadAsStringAsync())!["histogram"]!;
        Assert.Equal(7, json["peakReceivedInAnyWindow"]!.GetValue<int>());
        Assert.False(json["slidingPeaksTruncated"]!.GetValue<bool>());
        host.Portal.ResetStatistics();
        Assert.Equal(0, host.Portal.Histogram.PeakReceivedInAnyWindow);
    }
}
