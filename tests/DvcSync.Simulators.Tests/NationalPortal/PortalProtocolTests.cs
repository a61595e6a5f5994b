using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Tests.NationalPortal;

public class PortalProtocolTests
{
    internal static JsonObject Dossier(string suffix = "00001", int status = 4, string agency = "000.00.19.H19")
    {
        var d = new JsonObject
        {
            ["MaHoSo"] = $"{agency}-251120-{suffix}",
            ["MaTTHC"] = "1.001234",
            ["MaDonVi"] = agency,
            ["TrangThaiHoSo"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NgayTiepNhan"] = "20251120080000",
            ["NgayHenTra"] = "20251130080000",
            ["KenhThucHien"] = "2",
            ["TrichYeuHoSo"] = "Cấp Phiếu lý lịch tư pháp",
            ["DonViXuLy"] = "Sở Tư pháp",
            ["TruongLa"] = new JsonObject { ["x"] = 1 },
        };
        if (status is 9 or 10) d["NgayKetThucXuLy"] = "20251120090000";
        return d;
    }

    [Fact]
    public async Task SignIn_gives_a_session_and_wrong_credentials_answer_minus_one()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 10);
        await using var _h = host;
        using var portal = new Portal(host);
        Assert.False(string.IsNullOrEmpty(await portal.SignInAsync()));
        var (status, body, _) = await portal.PostAsync("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "nope" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("-1", Sim.Str(body!["error_code"]));
        Assert.Equal(2, host.Portal.Counters.Calls("auth"));
        Assert.Equal(1, host.Portal.Counters.Outcome("auth", "-1"));
    }

    [Fact]
    public async Task Requests_the_adapter_cannot_parse_get_400_error_code_1()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();

        async Task Expect400(JsonObject body, string? dstcode = "H19")
        {
            var (status, reply, _) = await portal.PostAsync("service", body, dstcode);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("1", Sim.Str(reply!["error_code"]));
        }

        await Expect400(Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" }), dstcode: null);
        var auth = await portal.PostAsync("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" }, dstcode: null);
        Assert.Equal(HttpStatusCode.BadRequest, auth.Status);
        await Expect400(Portal.Body(session, "XoaHoSo"));
        using (var garbage = new HttpRequestMessage(HttpMethod.Post, "service") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") })
        {
            garbage.Headers.Add("dstcode", "H19");
            using var response = await portal.Http.SendAsync(garbage);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        await Expect400(Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" }), dstcode: "H99");
        var noMadonvi = Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" });
        noMadonvi.Remove("madonvi");
        await Expect400(noMadonvi);
        var tooMany = new JsonArray(Enumerable.Range(1, 51).Select(i => (JsonNode)Dossier($"{i:00000}")).ToArray());
        await Expect400(Portal.Body(session, "DongBoHoSoMC", new JsonObject { ["isUpdating"] = "False", ["data"] = tooMany }));
        var steps = new JsonArray(Enumerable.Range(1, 11).Select(_ => (JsonNode)new JsonObject { ["MaHoSo"] = "x" }).ToArray());
        await Expect400(Portal.Body(session, "CapNhatTienDoHoSoMC", new JsonObject { ["data"] = steps }));
        await Expect400(Portal.Body(session, "DongBoHoSoMC", new JsonObject { ["data"] = new JsonArray(Dossier()) }));

        // 50 dossiers are fine.
        var fifty = new JsonArray(Enumerable.Range(1, 50).Select(i => (JsonNode)Dossier($"{i:00000}")).ToArray());
        var ok = await portal.ServiceAsync(session, "DongBoHoSoMC", new JsonObject { ["isUpdating"] = "False", ["data"] = fifty });
        Assert.Equal("0", Sim.Str(ok["error_code"]));
        Assert.Equal(50, host.Portal.Count);
    }

    [Fact]
    public async Task Session_lives_30_minutes_after_its_last_use()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 10);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var lookup = new JsonObject { ["maTTHC"] = "1.001234" };

        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal("0", Sim.Str((await portal.ServiceAsync(session, "LayThuTuc", lookup))["error_code"]));
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal("0", Sim.Str((await portal.ServiceAsync(session, "LayThuTuc", lookup))["error_code"]));
        clock.Advance(TimeSpan.FromMinutes(30));
        var expired = await portal.ServiceAsync(session, "LayThuTuc", lookup);
        Assert.Equal("-2", Sim.Str(expired["error_code"]));
        Assert.Equal("-2", Sim.Str((await portal.ServiceAsync("not-a-session", "LayThuTuc", lookup))["error_code"]));

        var again = await portal.SignInAsync();
        Assert.Equal("0", Sim.Str((await portal.ServiceAsync(again, "LayThuTuc", lookup))["error_code"]));
        host.Portal.ExpireAllSessions();
        Assert.Equal("-2", Sim.Str((await portal.ServiceAsync(again, "LayThuTuc", lookup))["error_code"]));

        var third = await portal.SignInAsync();
        using var expire = await portal.Http.PostAsync("_sim/sessions/expire", null);
        Assert.Equal(HttpStatusCode.OK, expire.StatusCode);
        Assert.Equal("-2", Sim.Str((await portal.ServiceAsync(third, "LayThuTuc", lookup))["error_code"]));
    }

    [Fact]
    public async Task Session_ttl_is_configurable()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 10, o => o.PortalSessionTtl = TimeSpan.FromMinutes(5));
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal("-2", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));
    }

    [Fact]
    public async Task Insert_then_lookup_then_insert_again_answers_minus_3_and_update_of_missing_answers_minus_4()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 10);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var d = Dossier();

        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, false, d))["error_code"]));
        var found = await portal.LookupAsync(session, Sim.Str(d["MaHoSo"]));
        var held = Assert.Single(found["result"]!.AsArray())!.AsObject();
        Assert.Equal(SimTime.Compact(clock.GetUtcNow()), Sim.Str(held["NgayDongBo"]));
        Assert.Equal(1, held["TruongLa"]!["x"]!.GetValue<int>());

        var again = await portal.SyncAsync(session, false, d);
        Assert.Equal("-3", Sim.Str(again["error_code"]));
        var error = Assert.Single(again["errors"]!.AsArray())!;
        Assert.Equal(Sim.Str(d["MaHoSo"]), Sim.Str(error["MaHoSo"]));
        Assert.Contains("đã tồn tại", Sim.Str(again["message"]));

        clock.Advance(TimeSpan.FromMinutes(3));
        var changed = Dossier(status: 5);
        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, true, changed))["error_code"]));
        held = (await portal.LookupAsync(session, Sim.Str(d["MaHoSo"])))["result"]![0]!.AsObject();
        Assert.Equal("5", Sim.Str(held["TrangThaiHoSo"]));
        Assert.Equal(SimTime.Compact(clock.GetUtcNow()), Sim.Str(held["NgayDongBo"]));

        var missing = await portal.SyncAsync(session, true, Dossier("00002"));
        Assert.Equal("-4", Sim.Str(missing["error_code"]));
        Assert.Empty((await portal.LookupAsync(session, Sim.Str(Dossier("00002")["MaHoSo"])))["result"]!.AsArray());
    }

    [Fact]
    public async Task Older_adapter_codes_are_switchable()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 10, o =>
        {
            o.PortalSuccessCode = "00";
            o.PortalAlreadyExistsCode = "3";
        });
        await using var _h = host;
        using var portal = new Portal(host);
        var (_, auth, _) = await portal.PostAsync("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" });
        Assert.Equal("00", Sim.Str(auth!["error_code"]));
        var session = Sim.Str(auth["session"]);
        Assert.Equal("00", Sim.Str((await portal.SyncAsync(session, false, Dossier()))["error_code"]));
        Assert.Equal("3", Sim.Str((await portal.SyncAsync(session, false, Dossier()))["error_code"]));

        host.Portal.SuccessCode = "0";
        using var config = await portal.Http.PostAsync("_sim/config", new StringContent("""{"alreadyExistsCode":"-3"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.Equal("-3", Sim.Str((await portal.SyncAsync(session, false, Dossier()))["error_code"]));
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));

        host.Portal.ErrorCodesAsNumbers = true;
        var numeric = await portal.SyncAsync(session, false, Dossier());
        Assert.Equal(-3, numeric["error_code"]!.GetValue<int>());
        Assert.Equal(-3, numeric["errors"]![0]!["error_code"]!.GetValue<int>());
        Assert.Equal(1, host.Portal.Counters.Outcome("DongBoHoSoMC", "3"));
        Assert.Equal(2, host.Portal.Counters.Outcome("DongBoHoSoMC", "-3"));
    }

    [Fact]
    public async Task A_switch_makes_refusals_and_failures_quote_the_applicant()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 10);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var applicant = Dossier("00042");
        applicant["MaTTHC"] = "1.000999";
        applicant["ChuHoSo"] = "Trần Thị Hồng";
        applicant["SoGiayToChuHoSo"] = "079301004321";
        applicant["DinhDanhCHS"] = new JsonArray(new JsonObject { ["LoaiDinhDanh"] = "2", ["SoDinhDanh"] = "381234567" });
        applicant["SoDienThoai"] = "0987654321";
        applicant["Email"] = "hongtt@gmail.com";
        string[] quoted = ["TRAN THI HONG", "079301004321", "381234567", "0987 654 321", "hongtt@gmail.com"];

        var plain = await portal.SyncAsync(session, false, applicant);
        Assert.Equal("2", Sim.Str(plain["error_code"]));
        Assert.DoesNotContain(quoted, q => plain.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }).Contains(q, StringComparison.Ordinal));

        using var config = await portal.Http.PostAsync("_sim/config", new StringContent("""{"quoteApplicant":"True"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, config.StatusCode);
        Assert.True(host.Portal.QuoteApplicant);

        var refused = await portal.SyncAsync(session, false, applicant);
        Assert.Equal("2", Sim.Str(refused["error_code"]));
        foreach (var message in new[] { Sim.Str(refused["message"]), Sim.Str(refused["errors"]![0]!["message"]) })
            Assert.All(quoted, q => Assert.Contains(q, message));
        Assert.Contains("MaTTHC 1.000999 không tồn tại", Sim.Str(refused["errors"]![0]!["message"]));

        applicant["MaTTHC"] = "1.001234";
        host.PortalFaults.FailNext(1, DvcSync.Simulators.Faults.FaultKind.SystemError);
        var failed = await portal.SyncAsync(session, false, applicant);
        Assert.Equal("99", Sim.Str(failed["error_code"]));
        Assert.All(quoted, q => Assert.Contains(q, Sim.Str(failed["message"])));

        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, false, applicant))["error_code"]));
        host.PortalFaults.FailNext(1, DvcSync.Simulators.Faults.FaultKind.SystemError);
        var lookup = await portal.LookupAsync(session, Sim.Str(applicant["MaHoSo"]));
        Assert.Equal("99", Sim.Str(lookup["error_code"]));
        Assert.Contains("TRAN THI HONG", Sim.Str(lookup["message"]));
    }

    [Fact]
    public async Task A_refused_batch_applies_nothing_and_names_every_offending_dossier()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 10);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var existing = Dossier("00009");
        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, false, existing))["error_code"]));

        var good = Dossier("00001");
        var bad = Dossier("00002");
        bad["MaTTHC"] = "1.099999";
        var reply = await portal.SyncAsync(session, false, good, existing, bad);
        Assert.Equal("-3", Sim.Str(reply["error_code"]));
        var errors = reply["errors"]!.AsArray();
        Assert.Equal(2, errors.Count);
        Assert.Equal(Sim.Str(existing["MaHoSo"]), Sim.Str(errors[0]!["MaHoSo"]));
        Assert.Equal("-3", Sim.Str(errors[0]!["error_code"]));
        Assert.Equal(Sim.Str(bad["MaHoSo"]), Sim.Str(errors[1]!["MaHoSo"]));
        Assert.Equal("2", Sim.Str(errors[1]!["error_code"]));
        Assert.Contains("1.099999", Sim.Str(errors[1]!["message"]));
        Assert.False(host.Portal.Holds(Sim.Str(good["MaHoSo"])));

        var invalidFirst = await portal.SyncAsync(session, false, bad, good, existing);
        Assert.Equal("2", Sim.Str(invalidFirst["error_code"]));
        Assert.Equal("Dữ liệu không hợp lệ", Sim.Str(invalidFirst["message"]));
        Assert.False(host.Portal.Holds(Sim.Str(good["MaHoSo"])));

        // The same dossier twice in one insert batch: the second one already exists.
        var twice = await portal.SyncAsync(session, false, good, good);
        Assert.Equal("-3", Sim.Str(twice["error_code"]));
        Assert.False(host.Portal.Holds(Sim.Str(good["MaHoSo"])));
    }

    public static TheoryData<string, Action<JsonObject>, string> InvalidData => new()
    {
        { "MaHoSo missing", d => d.Remove("MaHoSo"), "MaHoSo" },
        { "MaHoSo over 50", d => d["MaHoSo"] = "000.00.19.H19-" + new string('1', 40), "50" },
        { "MaHoSo of another agency", d => d["MaHoSo"] = "000.00.10.H19-251120-00001", "MaHoSo" },
        { "MaTTHC unknown", d => d["MaTTHC"] = "1.000999", "1.000999" },
        { "MaTTHC missing", d => d.Remove("MaTTHC"), "MaTTHC" },
        { "NgayTiepNhan missing for status 4", d => d.Remove("NgayTiepNhan"), "NgayTiepNhan" },
        { "NgayTiepNhan empty for status 2", d => { d["NgayTiepNhan"] = ""; d["TrangThaiHoSo"] = "2"; }, "NgayTiepNhan" },
        { "NgayTiepNhan 2025-13-45", d => d["NgayTiepNhan"] = "2025-13-45", "2025-13-45" },
        { "NgayTiepNhan 20250115", d => d["NgayTiepNhan"] = "20250115", "20250115" },
        { "NgayTiepNhan impossible date", d => d["NgayTiepNhan"] = "20251332080000", "NgayTiepNhan" },
        { "NgayTiepNhan 6 minutes ahead", d => d["NgayTiepNhan"] = "20251120100600", "NgayTiepNhan" },
        { "NgayKetThucXuLy missing for 9", d => d["TrangThaiHoSo"] = "9", "NgayKetThucXuLy" },
        { "NgayKetThucXuLy missing for 10", d => d["TrangThaiHoSo"] = 10, "NgayKetThucXuLy" },
        { "TrangThaiHoSo 0", d => d["TrangThaiHoSo"] = "0", "TrangThaiHoSo" },
        { "TrangThaiHoSo 11", d => d["TrangThaiHoSo"] = 11, "TrangThaiHoSo" },
        { "TrangThaiHoSo missing", d => d.Remove("TrangThaiHoSo"), "TrangThaiHoSo" },
        { "KenhThucHien 4", d => d["KenhThucHien"] = "4", "KenhThucHien" },
        { "TrichYeuHoSo 1001", d => d["TrichYeuHoSo"] = new string('a', 1001), "TrichYeuHoSo" },
        { "DonViXuLy 251", d => d["DonViXuLy"] = new string('a', 251), "DonViXuLy" },
    };

    [Theory]
    [MemberData(nameof(InvalidData))]
    public async Task Invalid_data_answers_2_naming_the_dossier(string _, Action<JsonObject> spoil, string mentioned)
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var d = Dossier();
        spoil(d);
        var reply = await portal.SyncAsync(session, false, d);
        Assert.Equal("2", Sim.Str(reply["error_code"]));
        var error = Assert.Single(reply["errors"]!.AsArray())!;
        Assert.Equal("2", Sim.Str(error["error_code"]));
        Assert.Contains(mentioned, Sim.Str(error["message"]));
        Assert.Equal(0, host.Portal.Count);
    }

    public static TheoryData<string, Action<JsonObject>> ValidData => new()
    {
        { "as built", _ => { } },
        { "status 1 without NgayTiepNhan", d => { d.Remove("NgayTiepNhan"); d["TrangThaiHoSo"] = "1"; } },
        { "codes as numbers", d => { d["TrangThaiHoSo"] = 4; d["KenhThucHien"] = 3; } },
        { "no KenhThucHien", d => d.Remove("KenhThucHien") },
        { "NgayTiepNhan 4 minutes ahead", d => d["NgayTiepNhan"] = "20251120100400" },
        { "dates written as year 1, how one-stop systems write none", d => { d["NgayTiepNhan"] = "00010101000000"; d["NgayHenTra"] = "00010101000000"; } },
        { "status 10 with NgayKetThucXuLy", d => { d["TrangThaiHoSo"] = "10"; d["NgayKetThucXuLy"] = "20251120090000"; } },
        { "limits exactly", d => { d["TrichYeuHoSo"] = new string('a', 1000); d["DonViXuLy"] = new string('a', 250); d["MaHoSo"] = "000.00.19.H19-" + new string('1', 36); } },
    };

    [Theory]
    [MemberData(nameof(ValidData))]
    public async Task Valid_data_is_accepted(string _, Action<JsonObject> change)
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var d = Dossier();
        change(d);
        var reply = await portal.SyncAsync(session, false, d);
        Assert.Equal("0", Sim.Str(reply["error_code"]));
        Assert.True(host.Portal.Holds(Sim.Str(d["MaHoSo"])));
    }

    [Fact]
    public async Task A_held_final_state_cannot_go_back_to_a_non_final_one_but_9_may_go_to_10()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();

        foreach (var final in new[] { 3, 7, 8, 9, 10 })
        {
            var suffix = $"0000{final % 10}";
            Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, false, Dossier(suffix, final)))["error_code"]));
            var back = await portal.SyncAsync(session, true, Dossier(suffix, 4));
            Assert.Equal("5", Sim.Str(back["error_code"]));
            Assert.Contains("đã kết thúc", Sim.Str(back["message"]));
            Assert.Equal(final, host.Portal.HeldStatus(Sim.Str(Dossier(suffix)["MaHoSo"])));
        }
        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, true, Dossier("00009", 10)))["error_code"]));
        Assert.Equal(10, host.Portal.HeldStatus(Sim.Str(Dossier("00009")["MaHoSo"])));
        // Re-sending a final state as it is, is harmless.
        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, true, Dossier("00008", 8)))["error_code"]));
    }

    [Fact]
    public async Task Steps_are_keyed_and_resending_is_harmless_and_unknown_dossiers_answer_minus_4()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var d = Dossier();
        var code = Sim.Str(d["MaHoSo"]);
        await portal.SyncAsync(session, false, d);
        JsonObject Step(string at, string status) => new()
        {
            ["MaHoSo"] = code, ["NguoiXuLy"] = "Trần Văn Bình", ["ChucDanh"] = "Chuyên viên", ["ThoiDiemXuLy"] = at,
            ["PhongBanXuLy"] = "Phòng Hành chính tư pháp", ["NoiDungXuLy"] = "Xử lý", ["TrangThai"] = status,
            ["NgayBatDau"] = at, ["NgayKetThucTheoQuyDinh"] = "20251130080000",
        };
        var steps = new JsonObject { ["data"] = new JsonArray(Step("20251120080000", "2"), Step("20251120083000", "4")) };
        Assert.Equal("0", Sim.Str((await portal.ServiceAsync(session, "CapNhatTienDoHoSoMC", steps))["error_code"]));
        Assert.Equal("0", Sim.Str((await portal.ServiceAsync(session, "CapNhatTienDoHoSoMC", steps))["error_code"]));
        Assert.Equal(2, host.Portal.StepsOf(code).Count);

        var unknown = new JsonObject { ["data"] = new JsonArray(Step("20251120090000", "4"), new JsonObject { ["MaHoSo"] = "000.00.19.H19-251120-09999", ["ThoiDiemXuLy"] = "20251120090000", ["TrangThai"] = "4" }) };
        var reply = await portal.ServiceAsync(session, "CapNhatTienDoHoSoMC", unknown);
        Assert.Equal("-4", Sim.Str(reply["error_code"]));
        Assert.Equal(2, host.Portal.StepsOf(code).Count);
    }

    [Fact]
    public async Task LayThuTuc_answers_the_catalogue_entry_or_an_empty_result()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var known = await portal.ServiceAsync(session, "LayThuTuc", new JsonObject { ["maTTHC"] = "2.000477" });
        var entry = Assert.Single(known["result"]!.AsArray())!;
        Assert.Equal("2.000477", Sim.Str(entry["MATTHC"]));
        Assert.False(string.IsNullOrEmpty(Sim.Str(entry["TENTTHC"])));
        Assert.NotEmpty(entry["LINHVUCTHUCHIEN"]!.AsArray());
        Assert.Contains(Sim.Str(entry["COPHILEPHI"]), new[] { "0", "1" });
        var unknown = await portal.ServiceAsync(session, "LayThuTuc", new JsonObject { ["maTTHC"] = "1.099999" });
        Assert.Equal("0", Sim.Str(unknown["error_code"]));
        Assert.Empty(unknown["result"]!.AsArray());
        Assert.True(host.Portal.Catalogue.All.Count >= 30);
    }
}
