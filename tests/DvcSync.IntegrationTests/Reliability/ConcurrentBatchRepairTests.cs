using DvcSync.Application.Repair;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Simulators.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>
/// Batch repair messages of one agency handled side by side, as a backlog after an outage is drained (the standalone
/// poller and the Functions host both run eight at a time), against Azurite: every conclusion of an agency changes the
/// same few counter rows of its partition (day counts, month roll-ups, scorecard rows).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConcurrentBatchRepairTests(AzuriteFixture azurite)
{
    private const int Messages = 8;
    private const int PerMessage = 50;

    [Fact]
    public async Task Eight_batch_messages_of_one_agency_handled_at_once_conclude_every_dossier_and_the_counts_equal_a_recount()
    {
        // Dossiers of the last three days, as after an outage: one agency's conclusions share its day and month rows.
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(7)).Date, TimeSpan.FromHours(7)).AddDays(-3);
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions
        {
            DossierCount = 6000,
            Seed = 1415,
            ScenarioStart = start,
            PortalRateLimitPerSecond = 0,
            // The departments only (no communes): each receives some five hundred of them.
            Scenario = new ScenarioOptions { NewCommuneCount = 0, OldDistrictCount = 0 }.AllSyncedAndCurrent(),
        });
        // The ledger knows none of them yet: each repair reads the dossier, writes it to the portal (which holds it: "-3",
        // then an update) with its steps, and concludes it synced.
        var agency = env.Simulators.Truth.Of(DossierCategory.Current).GroupBy(t => t.MaDonVi).MaxBy(g => g.Count())!;
        Assert.True(agency.Count() >= Messages * PerMessage, $"the largest agency has only {agency.Count()} dossiers");
        var batches = agency.Take(Messages * PerMessage)
            .Select(t => new RepairRequest(t.MaHoSo, t.MaDonVi, 0, 0, RepairReason.Stale))
            .Chunk(PerMessage).ToList();
        var handler = env.App.Services.GetRequiredService<IRepairHandler>();

        var outcomes = await Task.WhenAll(batches.Select(batch => Task.Run(() => handler.HandleBatchAsync(batch, CancellationToken.None))));

        Assert.All(outcomes.SelectMany(o => o), outcome => Assert.Equal(RepairOutcome.Synced, outcome));
        foreach (var request in batches.SelectMany(b => b))
            Assert.Equal(SyncState.Synced, (await env.Ledger.GetAsync(request.MaDonVi, request.MaHoSo, CancellationToken.None))?.State);
        await env.AssertLedgerCountsEqualRecountAsync();
    }
}
