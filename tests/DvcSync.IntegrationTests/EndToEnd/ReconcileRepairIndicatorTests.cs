using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Core.Ledger;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Simulators.Seeding;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>
/// The slice from end to end on real parts: a seeded province whose portal misses some dossiers and holds others
/// stale; one reconciliation, the repairs it queues run by the host's poller, and the API's figures compared with a
/// recount made here from the simulators' own data.
/// </summary>
public sealed class ReconcileRepairIndicatorTests(ReconciledProvinceFixture fixture) : IClassFixture<ReconciledProvinceFixture>
{
    private readonly SyncEnvironment _env = fixture.Env;

    private GroundTruth Truth => _env.Simulators.Truth;

    [Fact]
    public void The_scenario_has_every_kind_of_trouble()
    {
        var kinds = Truth.Entries.GroupBy(e => e.Category).ToDictionary(g => g.Key, g => g.Count());
        foreach (var category in new[] { DossierCategory.Current, DossierCategory.MissingFromPortal, DossierCategory.StaleOnPortal, DossierCategory.RefusedByPortal, DossierCategory.FlaggedSyncedButMissing })
            Assert.True(kinds.GetValueOrDefault(category) > 0, $"no {category} dossiers in the scenario");
    }

    [Fact]
    public void The_first_reconciliation_looks_every_dossier_up_once_and_finds_every_divergent_one()
    {
        var run = fixture.FirstRun;
        Assert.Equal(Truth.Entries.Count, run.DossiersRead);
        Assert.Equal(Truth.Entries.Count, run.PortalLookups);
        var divergentAtStart = Truth.Entries.Count(e => !e.PortalCurrentAtStart);
        Assert.Equal(divergentAtStart, run.MismatchesFound);
        Assert.NotNull(run.FinishedAt);
    }

    [Fact]
    public void Every_repairable_dossier_ends_current_on_the_portal()
    {
        var repairable = Truth.Entries.Where(e => e.Category != DossierCategory.RefusedByPortal).ToList();
        var notCurrent = repairable.Where(e => _env.Simulators.ComparePortalCopy(e.MaHoSo) != DvcSync.Simulators.PortalCopyState.Current)
            .Select(e => $"{e.MaHoSo} ({e.Category})").ToList();
        Assert.Empty(notCurrent);
    }

    [Fact]
    public async Task Every_refused_dossier_ends_rejected_with_the_reason()
    {
        foreach (var refused in Truth.Entries.Where(e => e.Category == DossierCategory.RefusedByPortal))
        {
            var entry = await _env.Ledger.GetAsync(refused.MaDonVi, refused.MaHoSo, CancellationToken.None);
            Assert.True(entry is { State: SyncState.Rejected }, $"{refused.MaHoSo} ({refused.Refusal}) is {entry?.State.ToString() ?? "not in the ledger"}");
            var expectedWords = refused.Refusal switch
            {
                RefusalKind.UnknownProcedure => "không tồn tại trong CSDL quốc gia",
                RefusalKind.FinishedWithoutEndDate => "NgayKetThucXuLy",
                RefusalKind.FinalOnPortal => "kết thúc",
                RefusalKind.MalformedReceivedDate => "NgayTiepNhan",
                _ => throw new InvalidOperationException(refused.Refusal.ToString()),
            };
            Assert.Contains(expectedWords, entry!.LastError);
        }
    }

    public static TheoryData<string, string, string> Periods => new()
    {
        { "a day", "2025-05-14", "2025-05-14" },
        { "a week", "2025-05-12", "2025-05-18" },
        { "a month", "2025-03-01", "2025-03-31" },
        { "across 1 July 2025", "2025-06-15", "2025-07-15" },
        { "the year", "2025-01-01", "2025-12-31" },
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public async Task The_sync_rate_equals_a_recount_from_the_simulators_data_for_the_province(string _, string from, string to)
    {
        var root = _env.Simulators.Provincial.Agencies.Single(a => a.Cap == "TINH").MaDonVi;
        await AssertFiguresAsync(root, from, to);
    }

    [Theory]
    [InlineData("SO")]
    [InlineData("XA")]
    [InlineData("HUYEN")]
    public async Task The_sync_rate_equals_a_recount_for_a_department_a_commune_and_an_old_district(string level)
    {
        // The agency of that level with the most dossiers, so the figure is not trivially zero.
        var agencies = _env.Simulators.Provincial.Agencies;
        var busiest = agencies.Where(a => a.Cap == level)
            .OrderByDescending(a => Truth.Entries.Count(e => Subtree(a.MaDonVi).Contains(e.MaDonVi)))
            .First().MaDonVi;
        await AssertFiguresAsync(busiest, "2025-01-01", "2025-12-31");
        await AssertFiguresAsync(busiest, "2025-06-15", "2025-07-15");
    }

    [Fact]
    public async Task Unsynced_lists_exactly_the_received_dossiers_the_portal_does_not_hold()
    {
        var expected = Truth.Entries.Where(e => e.HasValidNgayTiepNhan && !_env.Simulators.PortalHolds(e.MaHoSo)).Select(e => e.MaHoSo).Order().ToList();
        var listed = new List<JsonObject>();
        string? cursor = null;
        do
        {
            using var response = await _env.Http.SendAsync(_env.Get($"/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&limit=7{(cursor is null ? "" : "&cursor=" + cursor)}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            listed.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);

        Assert.NotEmpty(expected);
        Assert.Equal(expected, listed.Select(i => i["maHoSo"]!.GetValue<string>()).Order());
        Assert.All(listed, i => Assert.Equal("rejected", i["state"]!.GetValue<string>()));
        Assert.All(listed, i => Assert.False(string.IsNullOrEmpty(i["lastError"]?.GetValue<string>())));
        var order = listed.Select(i => i["ngayTiepNhan"]!.GetValue<string>()).ToList();
        Assert.Equal(order.Order(StringComparer.Ordinal), order);
        var body = JsonSerializer.Serialize(listed);
        foreach (var field in new[] { "ChuHoSo", "chuHoSo", "SoGiayToChuHoSo", "soDienThoai", "email" })
            Assert.DoesNotContain(field, body);
    }

    [Fact]
    public async Task A_second_reconciliation_spends_no_portal_call_on_what_it_already_confirmed()
    {
        var before = _env.Simulators.Portal.Counters.Calls("TraCuuHoSo");
        var run = await _env.ReconcileAsync();
        Assert.Equal(0, run!.PortalLookups);
        Assert.Equal(before, _env.Simulators.Portal.Counters.Calls("TraCuuHoSo"));
    }

    private async Task AssertFiguresAsync(string agency, string from, string to)
    {
        var subtree = Subtree(agency);
        var first = DateOnly.Parse(from);
        var last = DateOnly.Parse(to);
        var expectedReceived = _env.Simulators.Provincial.ReceivedCounts(first, last).Where(c => subtree.Contains(c.MaDonVi)).Sum(c => c.SoHoSoTiepNhan);
        var expectedSynced = Truth.Entries.Count(e => subtree.Contains(e.MaDonVi) && e.HasValidNgayTiepNhan && e.ReceivedAt is { } at
            && DateOnly.FromDateTime(at.ToOffset(TimeSpan.FromHours(7)).DateTime) is var day && day >= first && day <= last
            && _env.Simulators.PortalHolds(e.MaHoSo));

        using var response = await _env.Http.SendAsync(_env.Get($"/api/indicators/sync-rate?from={from}&to={to}&agency={agency}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = JsonNode.Parse(text)!;

        Assert.Equal("1.4", body["indicator"]!.GetValue<string>());
        Assert.Equal(agency, body["agency"]!.GetValue<string>());
        Assert.Equal(expectedReceived, body["received"]!.GetValue<long>());
        Assert.Equal(expectedSynced, body["synced"]!.GetValue<long>());
        if (expectedReceived > 0) Assert.Equal((double)expectedSynced / expectedReceived, body["rate"]!.GetValue<double>(), 12);
        else Assert.Null(body["rate"]);

        // The rows below add up to the agency's own figures less what the agency received itself.
        var rows = body["agencies"]!.AsArray();
        var own = Truth.Entries.Count(e => e.MaDonVi == agency);
        if (own == 0) Assert.Equal(expectedReceived, rows.Sum(r => r!["received"]!.GetValue<long>()));
        Assert.All(rows, r => Assert.Contains(r!["agency"]!.GetValue<string>(), _env.Simulators.Provincial.Agencies.Where(a => a.MaDonViCha == agency).Select(a => a.MaDonVi)));
    }

    private HashSet<string> Subtree(string agency)
    {
        var all = _env.Simulators.Provincial.Agencies;
        var result = new HashSet<string> { agency };
        bool grew;
        do
        {
            grew = false;
            foreach (var a in all)
                if (a.MaDonViCha is not null && result.Contains(a.MaDonViCha) && result.Add(a.MaDonVi)) grew = true;
        } while (grew);
        return result;
    }
}

/// <summary>One seeded province, reconciled and repaired once, shared by the tests that read its figures.</summary>
public sealed class ReconciledProvinceFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    public SyncEnvironment Env { get; private set; } = null!;
    public DvcSync.Core.Ports.ReconcileRun FirstRun { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        Env = await SyncEnvironment.StartAsync(_azurite, new SimulatorOptions
        {
            Seed = 20250101,
            DossierCount = 1500,
            ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
            PortalRateLimitPerSecond = 300,
        });
        FirstRun = await Env.ReconcileAsync() ?? throw new InvalidOperationException("the first reconciliation did not run");
        await Env.WaitForRepairsAsync(TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync()
    {
        await Env.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}
