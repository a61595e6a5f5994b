using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>
/// The provincial system transfers a dossier to another unit: same MaHoSo, new MaDonVi (provincial-system.md,
/// Agencies). It counts once, for the agency of its latest copy — in the province's figure, in both agencies', and in
/// the scorecard's 1.4 — before and after the move, and after it moves back.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TransferredDossierTests(AzuriteFixture azurite)
{
    private const string From = "2025-12-01";
    private const string To = "2025-12-31";

    [Fact]
    public async Task A_dossier_transferred_between_runs_counts_once_for_its_latest_agency_before_and_after()
    {
        var clock = new ShiftedClock(new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)));
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions
        {
            Seed = 20251201,
            DossierCount = 400,
            ScenarioNow = clock.GetUtcNow(),
            TimeProvider = clock,
            PortalRateLimitPerSecond = 300,
        });
        await env.ReconcileAsync();
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(3));

        var provincial = env.Simulators.Provincial;
        var province = provincial.Agencies.Single(a => a.Cap == "TINH").MaDonVi;
        var departments = provincial.Agencies.Where(a => a.Cap == "SO" && a.MaDonViCha == province).Select(a => a.MaDonVi).ToList();
        // A December dossier of a department that the ledger counts as synced: its move must carry the synced count too.
        var (from, to) = (DateOnly.Parse(From), DateOnly.Parse(To));
        string? dossier = null, source = null;
        foreach (var department in departments)
        {
            foreach (var code in provincial.ReceivedCodes(from, to, department))
                if (await env.Ledger.GetAsync(department, code, CancellationToken.None) is { CountsAsSynced: true })
                    (dossier, source) = (code, department);
            if (dossier is not null) break;
        }
        Assert.True(dossier is not null, "no synced December dossier of a department to transfer");
        var target = departments.First(d => d != source);

        var before = await FiguresAsync(env, province, source!, target);
        await AssertScorecardMatchesSyncRateAsync(env, province);

        await TransferAsync(env, clock, dossier!, target);
        var moved = await FiguresAsync(env, province, source!, target);
        Assert.Equal(before.Province, moved.Province);
        Assert.Equal((before.Source.Received - 1, before.Source.Synced - 1), moved.Source);
        Assert.Equal((before.Target.Received + 1, before.Target.Synced + 1), moved.Target);
        Assert.Equal(target, (await env.Ledger.GetAsync(source!, dossier!, CancellationToken.None))!.MovedTo);
        await AssertScorecardMatchesSyncRateAsync(env, province);
        await env.AssertLedgerCountsEqualRecountAsync();

        // And back where it came from: the first agency's entry counts again, the second's stops.
        await TransferAsync(env, clock, dossier!, source!);
        var back = await FiguresAsync(env, province, source!, target);
        Assert.Equal(before, back);
        Assert.Equal(source, (await env.Ledger.GetAsync(target, dossier!, CancellationToken.None))!.MovedTo);
        await AssertScorecardMatchesSyncRateAsync(env, province);
        await env.AssertLedgerCountsEqualRecountAsync();
    }

    /// <summary>The provincial system moves the dossier (a new version), and the scheduled runs and repairs follow.</summary>
    private static async Task TransferAsync(SyncEnvironment env, ShiftedClock clock, string dossier, string agency)
    {
        // The field under its own spelling: an anonymous object would be sent camelCased, as another field.
        var body = new JsonObject { ["changes"] = new JsonObject { ["MaDonVi"] = agency } };
        using (var change = await env.Http.PostAsJsonAsync($"{env.Simulators.ProvincialBaseUrl}/_sim/hoso/{dossier}", body))
            Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        clock.Advance(TimeSpan.FromMinutes(10));
        await env.ReconcileAsync();
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(agency, env.Simulators.Provincial.Get(dossier)!.Item["MaDonVi"]!.GetValue<string>());
    }

    private sealed record Figures((long Received, long Synced) Province, (long Received, long Synced) Source, (long Received, long Synced) Target);

    private static async Task<Figures> FiguresAsync(SyncEnvironment env, string province, string source, string target) => new(
        await SyncRateAsync(env, province), await SyncRateAsync(env, source), await SyncRateAsync(env, target));

    private static async Task<(long Received, long Synced)> SyncRateAsync(SyncEnvironment env, string agency)
    {
        var body = await GetAsync(env, $"/api/indicators/sync-rate?from={From}&to={To}&agency={agency}");
        return (body["received"]!.GetValue<long>(), body["synced"]!.GetValue<long>());
    }

    private static async Task AssertScorecardMatchesSyncRateAsync(SyncEnvironment env, string agency)
    {
        var scorecard = await GetAsync(env, $"/api/indicators/scorecard?from={From}&to={To}&agency={agency}");
        var portal = scorecard["indicators"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == "1.4")!["portal"]!;
        Assert.Equal(await SyncRateAsync(env, agency), (portal["denominator"]!.GetValue<long>(), portal["numerator"]!.GetValue<long>()));
    }

    private static async Task<JsonNode> GetAsync(SyncEnvironment env, string pathAndQuery)
    {
        using var response = await env.Http.SendAsync(env.Get(pathAndQuery));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }
}
