using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Reliability;
using DvcSync.Simulators.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>
/// A province whose one-stop system writes "no date" as <c>00010101000000</c> in a fifth of its dossiers — in dates they
/// do not need, in the due, end and change dates of open ones, in NgayTiepNhan at status 2 — reconciled and repaired on
/// the simulators and Azurite. The portal takes such dossiers as they are, so the project must too: every page is
/// checkpointed, every dossier ends synced or with a verdict, and the figures read those values as no date.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class NoDateValuesTests(AzuriteFixture azurite)
{
    private const int PageSize = 40;

    [Fact]
    public async Task Dossiers_carrying_year_1_for_no_date_are_checked_and_sent_as_they_are_and_counted_in_no_day()
    {
        var simulators = ReliabilityScenario.Simulators(seed: 1313, dossiers: 400);
        simulators.Scenario = new ScenarioOptions { NoDateMarkerFraction = 0.2 };
        var watermarks = new ConcurrentQueue<DateTimeOffset>();
        await using var env = await SyncEnvironment.StartAsync(azurite, simulators,
            ReliabilityScenario.Settings(new() { ["Sync:PageSize"] = PageSize.ToString() }), builder => RecordWatermarks(builder, watermarks));
        var truth = env.Simulators.Truth.Entries;
        var marked = truth.Where(e => e.CarriesNoDateMarkers).ToList();
        var receivedWithoutDate = marked.Where(e => e.TrangThaiHoSo == 2 && e.Refusal == RefusalKind.None).ToList();
        Assert.True(marked.Count > 50 && receivedWithoutDate.Count > 5, $"{marked.Count} marked, {receivedWithoutDate.Count} at status 2");

        var (run, runs) = await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(3));
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(3));

        // One run, every dossier read, and a checkpoint after every page (then one at the end of the window).
        Assert.Equal(1, runs);
        Assert.Null(run.Error);
        Assert.Equal(truth.Count, run.DossiersRead);
        var pages = (truth.Count + PageSize - 1) / PageSize;
        Assert.Equal(pages + 1, watermarks.Count);
        Assert.Equal(watermarks.Order(), watermarks);

        // Every dossier synced, or rejected with the portal's reason; the portal holds the markers as they were sent.
        await ReliabilityScenario.AssertConvergedAsync(env);
        foreach (var e in marked)
        {
            var entry = await env.Ledger.GetAsync(e.MaDonVi, e.MaHoSo, CancellationToken.None);
            var expected = e.Category == DossierCategory.RefusedByPortal ? SyncState.Rejected : SyncState.Synced;
            Assert.True(entry?.State == expected, $"{e.MaHoSo} ({e.Category}, {e.Refusal}) is {entry?.State.ToString() ?? "not in the ledger"}");
        }
        foreach (var e in receivedWithoutDate)
        {
            Assert.Equal(ScenarioGenerator.NoDateMarker, env.Simulators.Portal.Get(e.MaHoSo)!["NgayTiepNhan"]!.GetValue<string>());
            Assert.Null((await env.Ledger.GetAsync(e.MaDonVi, e.MaHoSo, CancellationToken.None))!.NgayTiepNhan);
        }

        // No day counts a dossier received without a date; the figures equal a recount from the simulators' data.
        var body = await GetAsync(env, "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31");
        var (received, held) = env.Simulators.SyncFigures(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
        Assert.Equal(received, body["received"]!.GetValue<long>());
        Assert.Equal(held, body["synced"]!.GetValue<long>());
        var unsynced = await GetAsync(env, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&limit=500");
        var listed = unsynced["items"]!.AsArray().Select(i => i!["maHoSo"]!.GetValue<string>()).ToHashSet();
        Assert.DoesNotContain(marked, e => e.ReceivedAt is null && listed.Contains(e.MaHoSo));
    }

    /// <summary>Keeps every watermark the host's reconciliation saves, on top of the real store.</summary>
    private static void RecordWatermarks(WebApplicationBuilder builder, ConcurrentQueue<DateTimeOffset> watermarks)
    {
        var store = builder.Services.Last(d => d.ServiceType == typeof(IPipelineState));
        builder.Services.Remove(store);
        builder.Services.AddSingleton<IPipelineState>(sp => new WatermarkRecorder((IPipelineState)store.ImplementationFactory!(sp), watermarks));
    }

    private static async Task<JsonObject> GetAsync(SyncEnvironment env, string pathAndQuery)
    {
        using var answer = await env.Http.SendAsync(env.Get(pathAndQuery));
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!.AsObject();
    }

    private sealed class WatermarkRecorder(IPipelineState inner, ConcurrentQueue<DateTimeOffset> watermarks) : IPipelineState
    {
        public Task AdvanceWatermarkAsync(DateTimeOffset readUpTo, CancellationToken cancellationToken)
        {
            watermarks.Enqueue(readUpTo);
            return inner.AdvanceWatermarkAsync(readUpTo, cancellationToken);
        }

        public Task<ReconcileWatermark?> GetWatermarkAsync(CancellationToken cancellationToken) => inner.GetWatermarkAsync(cancellationToken);
        public Task<bool> TryAcquireReconcileLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) => inner.TryAcquireReconcileLeaseAsync(owner, duration, cancellationToken);
        public Task ReleaseReconcileLeaseAsync(string owner, CancellationToken cancellationToken) => inner.ReleaseReconcileLeaseAsync(owner, cancellationToken);
        public Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken) => inner.SaveRunAsync(run, cancellationToken);
        public Task<(ReconcileRun? LastStarted, ReconcileRun? LastFinished)> GetRunsAsync(CancellationToken cancellationToken) => inner.GetRunsAsync(cancellationToken);
        public Task RecordPortalCallAsync(bool succeeded, string? failure, DateTimeOffset at, CancellationToken cancellationToken) => inner.RecordPortalCallAsync(succeeded, failure, at, cancellationToken);
        public Task RecordPortalCircuitAsync(bool open, DateTimeOffset at, CancellationToken cancellationToken) => inner.RecordPortalCircuitAsync(open, at, cancellationToken);
        public Task<PortalAvailability> GetPortalAvailabilityAsync(CancellationToken cancellationToken) => inner.GetPortalAvailabilityAsync(cancellationToken);
        public Task RecordPortalRefusalAsync(string refusal, DateTimeOffset at, CancellationToken cancellationToken) => inner.RecordPortalRefusalAsync(refusal, at, cancellationToken);
    }
}
