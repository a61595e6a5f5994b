using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.Tests.Seeding;

public class ScenarioTests
{
    private static ScenarioGenerator Generate(int seed = 42, int count = 2000) =>
        new(new ScenarioOptions { Seed = seed, DossierCount = count }, Sim.Now);

    [Fact]
    public void The_same_seed_gives_the_same_province_and_another_seed_another()
    {
        var a = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), Generate());
        var b = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), Generate());
        var c = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), Generate(seed: 43));
        Assert.Equal(a.Codes(), b.Codes());
        foreach (var code in a.Codes().Take(50))
        {
            Assert.Equal(a.Get(code)!.Item.ToJsonString(), b.Get(code)!.Item.ToJsonString());
            Assert.Equal(a.Get(code)!.Item.ToJsonString(), a.Get(code)!.Item.ToJsonString());
        }
        Assert.NotEqual(a.Codes(), c.Codes());
    }

    [Fact]
    public void Dossiers_are_realistic_and_consistent()
    {
        var g = Generate();
        var state = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), g);
        var agencies = g.Agencies.ToDictionary(a => a.MaDonVi);
        var july = new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.FromHours(7));
        int numericCodes = 0, extras = 0, isoSupplements = 0, withIds = 0, statuses = 0;
        var seenStatuses = new HashSet<string>();
        foreach (var code in state.Codes())
        {
            var item = state.Get(code)!.Item;
            var truth = g.Truth.Find(code)!;
            var maDonVi = Sim.Str(item["MaDonVi"]);
            Assert.Matches($"^{Regex.Escape(maDonVi)}-\\d{{6}}-\\d{{5}}$", code);
            Assert.True(agencies.ContainsKey(maDonVi));
            Assert.True(SimTime.TryParseCompact(Sim.Str(item["NgayCapNhat"]), out var capNhat) && capNhat <= Sim.Now);
            Assert.True(item["PhienBan"]!.GetValue<long>() >= 1);
            var status = int.Parse(Sim.Str(item["TrangThaiHoSo"]), System.Globalization.CultureInfo.InvariantCulture);
            seenStatuses.Add(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.InRange(status, 1, 10);
            if (item["TrangThaiHoSo"]!.GetValueKind() == System.Text.Json.JsonValueKind.Number) numericCodes++;
            if (item["ThongTinMoRong"] is not null) extras++;
            if (item["DanhSachHoSoBoSung"]!.AsArray().Any(s => Sim.Str(s!["NgayBoSung"]).Contains('T', StringComparison.Ordinal))) isoSupplements++;
            foreach (var id in item["DinhDanhCHS"]?.AsArray() ?? [])
            {
                withIds++;
                Assert.Matches(Sim.Str(id!["LoaiDinhDanh"]) == "1" ? "^\\d{12}$" : "^\\d{9}$", Sim.Str(id["SoDinhDanh"]));
            }
            if (status == 1)
            {
                Assert.Null(item["NgayTiepNhan"]);
                Assert.Equal(DossierCategory.NotYetReceived, truth.Category);
                continue;
            }
            statuses++;
            if (truth.Refusal == RefusalKind.MalformedReceivedDate)
            {
                Assert.False(SimTime.TryParseCompact(Sim.Str(item["NgayTiepNhan"]), out _));
                continue;
            }
            Assert.True(SimTime.TryParseCompact(Sim.Str(item["NgayTiepNhan"]), out var received));
            Assert.InRange(received, g.Options.Start, Sim.Now);
            Assert.True(SimTime.TryParseCompact(Sim.Str(item["NgayHenTra"]), out var due) && due > received);
            if (status is 9 or 10 && truth.Refusal != RefusalKind.FinishedWithoutEndDate)
                Assert.True(SimTime.TryParseCompact(Sim.Str(item["NgayKetThucXuLy"]), out var end) && end >= received);
            if (status == 10) Assert.True(SimTime.TryParseCompact(Sim.Str(item["NgayTra"]), out _));
            var cap = agencies[maDonVi].Cap;
            var parent = agencies[maDonVi].MaDonViCha;
            if (cap == "HUYEN" || (cap == "XA" && parent is not null && agencies[parent].Cap == "HUYEN")) Assert.True(received < july, code);
            if (cap == "XA" && parent == "000.00.00.H19") Assert.True(received >= july, code);
            Assert.True(PortalValidator.Validate(item, g.Catalogue, Sim.Now).Count == 0 || truth.ExpectedPortalErrorCode == "2", code);
        }
        Assert.Equal(10, seenStatuses.Count);
        Assert.True(numericCodes > 20 && extras > 20 && isoSupplements > 10 && withIds > 1000, $"{numericCodes} {extras} {isoSupplements} {withIds}");
    }

    [Fact]
    public void Categories_follow_the_configured_fractions_and_the_portal_is_preloaded_accordingly()
    {
        var g = Generate(count: 5000);
        var summary = g.Truth.Summary();
        Assert.InRange(summary[DossierCategory.Current], 3800, 4200);
        Assert.InRange(summary[DossierCategory.MissingFromPortal], 220, 380);
        Assert.InRange(summary[DossierCategory.StaleOnPortal], 180, 330);
        Assert.InRange(summary[DossierCategory.RefusedByPortal], 100, 210);
        Assert.InRange(summary[DossierCategory.FlaggedSyncedButMissing], 100, 210);
        Assert.InRange(summary[DossierCategory.NotYetReceived], 100, 210);
        Assert.All(Enum.GetValues<RefusalKind>().Where(k => k != RefusalKind.None), k => Assert.NotEmpty(g.Truth.Of(k)));

        var portal = new PortalState(new PortalSettings(), new ManualClock(Sim.Now), g.Catalogue, g);
        var source = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), g);
        foreach (var e in g.Truth.Entries)
        {
            Assert.Equal(e.OnPortalAtStart, portal.Holds(e.MaHoSo));
            var flag = source.Get(e.MaHoSo)!.TrangThaiDongBo;
            switch (e.Category)
            {
                case DossierCategory.MissingFromPortal:
                case DossierCategory.RefusedByPortal when e.Refusal != RefusalKind.FinalOnPortal:
                    Assert.False(e.OnPortalAtStart);
                    Assert.Equal("0", flag);
                    break;
                case DossierCategory.FlaggedSyncedButMissing:
                    Assert.False(e.OnPortalAtStart);
                    Assert.Equal("1", flag);
                    break;
                case DossierCategory.Current:
                    Assert.Equal(source.GetDossier(e.MaHoSo)!.ToJsonString(), Without(portal.Get(e.MaHoSo)!, "NgayDongBo").ToJsonString());
                    break;
                case DossierCategory.StaleOnPortal:
                    Assert.NotEqual(source.GetDossier(e.MaHoSo)!.ToJsonString(), Without(portal.Get(e.MaHoSo)!, "NgayDongBo").ToJsonString());
                    Assert.True(portal.SyncedAt(e.MaHoSo) < source.Get(e.MaHoSo)!.NgayCapNhat);
                    break;
                case DossierCategory.RefusedByPortal:
                    Assert.True(PortalValidator.IsFinal(portal.HeldStatus(e.MaHoSo)!.Value));
                    Assert.False(PortalValidator.IsFinal(e.TrangThaiHoSo));
                    break;
            }
        }
    }

    [Fact]
    public async Task Pushing_every_source_dossier_gets_the_answer_the_ground_truth_predicts()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 400);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        foreach (var code in host.Provincial.Codes())
        {
            var d = host.Provincial.GetDossier(code)!;
            var reply = await portal.SyncAsync(session, false, d);
            var answer = Sim.Str(reply["error_code"]);
            if (answer == "-3") answer = Sim.Str((await portal.SyncAsync(session, true, d))["error_code"]);
            Assert.Equal(host.Truth.Find(code)!.ExpectedPortalErrorCode, answer);
        }
        Assert.All(host.Truth.Entries.Where(e => e.ExpectedPortalErrorCode == "0"),
            e => Assert.Equal(PortalCopyState.Current, host.ComparePortalCopy(e.MaHoSo)));
        var (received, held) = host.SyncFigures(new DateOnly(2025, 1, 1), new DateOnly(2025, 11, 30));
        var refusedNotHeld = host.Truth.Entries.Count(e => e.ExpectedPortalErrorCode == "2" && e.ReceivedAt is not null);
        Assert.Equal(received - refusedNotHeld, held);
    }

    [Fact]
    public async Task Seeded_portal_copies_compare_as_the_truth_says()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 600);
        await using var _h = host;
        foreach (var e in host.Truth.Entries)
        {
            var expected = e.Category switch
            {
                DossierCategory.Current => PortalCopyState.Current,
                DossierCategory.StaleOnPortal => PortalCopyState.Stale,
                DossierCategory.RefusedByPortal when e.Refusal == RefusalKind.FinalOnPortal => PortalCopyState.Stale,
                _ => PortalCopyState.Missing,
            };
            Assert.Equal(expected, host.ComparePortalCopy(e.MaHoSo));
        }
    }

    [Fact]
    public async Task No_date_markers_go_where_the_option_says_and_the_portal_takes_each_dossier_as_it_is()
    {
        const string marker = ScenarioGenerator.NoDateMarker;
        var (host, _) = await Sim.StartAsync(dossiers: 600, o => o.Scenario = new ScenarioOptions { NoDateMarkerFraction = 0.3 });
        await using var _h = host;
        var marked = host.Truth.Entries.Where(e => e.CarriesNoDateMarkers).ToList();
        Assert.InRange(marked.Count, 130, 230);

        int open = 0, atTwo = 0;
        foreach (var e in marked)
        {
            var item = host.Provincial.Get(e.MaHoSo)!.Item;
            string Field(string name) => Sim.Str(item[name]);
            var status = int.Parse(Field("TrangThaiHoSo"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.All(new[] { "NgayTra", "NgayTuChoi" }, f => Assert.NotEqual("", Field(f)));
            if (!PortalValidator.IsFinal(status))
            {
                open++;
                Assert.All(new[] { "NgayHenTra", "NgayKetThucXuLy", "NgayCapNhat" }, f => Assert.Equal(marker, Field(f)));
            }
            else Assert.NotEqual(marker, Field("NgayCapNhat"));
            if (status is 9 or 10 && e.Refusal != RefusalKind.FinishedWithoutEndDate) Assert.NotEqual(marker, Field("NgayKetThucXuLy"));
            if (status == 2)
            {
                atTwo++;
                Assert.Equal(marker, Field("NgayTiepNhan"));
                // The provincial system has no received date for it: no day's count holds it.
                Assert.Null(e.ReceivedAt);
                Assert.False(e.HasValidNgayTiepNhan);
            }
        }
        Assert.True(open > 20 && atTwo > 10, $"{open} open, {atTwo} at status 2");
        var counted = host.Provincial.ReceivedCodes(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)).ToHashSet();
        Assert.DoesNotContain(marked, e => e.ReceivedAt is null && counted.Contains(e.MaHoSo));
        Assert.All(host.Truth.Entries.Where(e => !e.CarriesNoDateMarkers),
            e => Assert.DoesNotContain(marker, host.Provincial.Get(e.MaHoSo)!.Item.ToJsonString(), StringComparison.Ordinal));

        // The portal accepts every marker as a well-formed date: each dossier gets the answer the truth predicts.
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        foreach (var e in marked)
        {
            var d = host.Provincial.GetDossier(e.MaHoSo)!;
            var answer = Sim.Str((await portal.SyncAsync(session, false, d))["error_code"]);
            if (answer == "-3") answer = Sim.Str((await portal.SyncAsync(session, true, d))["error_code"]);
            Assert.Equal(e.ExpectedPortalErrorCode, answer);
        }
    }

    [Fact]
    public void Without_the_option_no_dossier_carries_a_no_date_marker()
    {
        var g = Generate(count: 1000);
        var state = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), g);
        Assert.All(state.Codes(), code => Assert.DoesNotContain(ScenarioGenerator.NoDateMarker, state.Get(code)!.Item.ToJsonString(), StringComparison.Ordinal));
        Assert.DoesNotContain(g.Truth.Entries, e => e.CarriesNoDateMarkers);
    }

    [Fact]
    public void Scales_to_100k_dossiers_with_distinct_codes()
    {
        // How fast is a benchmark's business, not a test's: on a loaded machine a time limit here only flakes.
        var g = Generate(count: 100_000);
        var portal = new PortalState(new PortalSettings(), new ManualClock(Sim.Now), g.Catalogue, g);
        var source = new DvcSync.Simulators.ProvincialSystem.ProvincialState(new(), new ManualClock(Sim.Now), g);
        Assert.Equal(100_000, source.Count);
        Assert.True(portal.Count > 80_000);
        Assert.Equal(100_000, source.Codes().Distinct().Count());
    }

    private static JsonObject Without(JsonObject o, string field)
    {
        o.Remove(field);
        return o;
    }
}
