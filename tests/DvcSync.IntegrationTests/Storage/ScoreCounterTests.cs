using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage;

/// <summary>
/// The table store's copies of the scorecard month roll-ups (the roll-up table); the counters' semantics, which every
/// store keeps, are in <see cref="Contract.ScoreCounterContract"/>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public class ScoreCounterTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Rollup_copies_lost_to_a_crash_are_redone_by_the_repair()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        await storage.Ledger.SaveManyAsync(Enumerable.Range(1, 30).Select(n => new LedgerChange(null, Contract.ScoreCounterContract.Entry("A", n))).ToList(), CancellationToken.None);
        var year = (new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
        var before = (await storage.Ledger.GetScoreTotalsAsync(["A"], year.Item1, year.Item2, CancellationToken.None))["A"];

        var rollups = storage.Account.Table(storage.TablePrefix + DvcSync.Infrastructure.Storage.StorageOptions.RollupTableName);
        await foreach (var row in rollups.QueryAsync<Azure.Data.Tables.TableEntity>($"PartitionKey eq 's2025'"))
            await rollups.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        Assert.Empty((await storage.Ledger.GetScoreTotalsAsync(["A"], year.Item1, year.Item2, CancellationToken.None))["A"][ScoreAxis.Received, ScoreSide.Source]);

        await storage.Ledger.RepairRollupCopiesAsync(CancellationToken.None);
        var after = (await storage.Ledger.GetScoreTotalsAsync(["A"], year.Item1, year.Item2, CancellationToken.None))["A"];
        Assert.Equal(30, after[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population]);
        Assert.Equal(before[ScoreAxis.Ended, ScoreSide.Source].ToString(), after[ScoreAxis.Ended, ScoreSide.Source].ToString());
    }
}
