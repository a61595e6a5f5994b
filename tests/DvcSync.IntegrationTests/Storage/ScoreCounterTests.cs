using Azure.Data.Tables;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
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
        var year = ScorePeriod.Of(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), new DateOnly(2025, 6, 18));
        var before = (await storage.Ledger.GetScoreTotalsAsync(["A"], year, CancellationToken.None))["A"];

        var rollups = storage.Account.Table(storage.TablePrefix + DvcSync.Infrastructure.Storage.StorageOptions.RollupTableName);
        await foreach (var row in rollups.QueryAsync<Azure.Data.Tables.TableEntity>($"PartitionKey eq 's2025'"))
            await rollups.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        Assert.Empty((await storage.Ledger.GetScoreTotalsAsync(["A"], year, CancellationToken.None))["A"][ScoreAxis.Received, ScoreSide.Source]);

        await storage.Ledger.RepairRollupCopiesAsync(CancellationToken.None);
        var after = (await storage.Ledger.GetScoreTotalsAsync(["A"], year, CancellationToken.None))["A"];
        Assert.Equal(30, after[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population]);
        // The running year reads the copies' due days too: they came back with the rest.
        Assert.Contains(after[ScoreAxis.Received, ScoreSide.Source].Keys, k => k.StartsWith("due:2025", StringComparison.Ordinal) && k.Length == "due:yyyyMMdd".Length);
        foreach (var axis in Enum.GetValues<ScoreAxis>())
            Assert.Equal(before[axis, ScoreSide.Source].ToString(), after[axis, ScoreSide.Source].ToString());
    }

    private static string Dues(CounterSet counters) =>
        string.Join(", ", counters.Where(c => ScoreCounterNames.IsOpenDueDated(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    /// <summary>
    /// Roll-ups written before month keys hold day-keyed Ended and due names and no days columns; saves since add
    /// month-keyed names and days columns beside them. Whole-month and cut periods, judged after the period or inside
    /// it, all still give the scorecard of a recount.
    /// </summary>
    [Fact]
    public async Task A_roll_up_written_before_month_keys_and_changed_since_gives_the_figures_of_a_recount()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        var ledger = storage.Ledger;
        var created = await ledger.SaveManyAsync(Enumerable.Range(1, 60).Select(n => new LedgerChange(null, Contract.ScoreCounterContract.Entry("A", n))).ToList(), CancellationToken.None);

        // Rewrite the month roll-ups as the previous version stored them: Ended columns by reception day, open dossiers
        // by due day, no days columns.
        var table = storage.Account.Table(storage.TablePrefix + StorageOptions.LedgerTableName);
        var partition = TableKeys.Escape("A");
        var days = await ledger.GetScoreDayRowsAsync("A", new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), CancellationToken.None);
        var months = new List<TableEntity>();
        await foreach (var month in table.QueryAsync<TableEntity>($"PartitionKey eq '{partition}' and RowKey ge '{ScoreKeys.MonthPrefix}' and RowKey lt 't}}'"))
            months.Add(month);
        Assert.NotEmpty(months);
        foreach (var month in months)
        {
            foreach (var (axis, side) in ScoreKeys.Sets)
            {
                Assert.NotNull(month.GetString(ScoreKeys.DaysColumn(axis, side)) ?? (side == ScoreSide.Portal ? "" : null));
                month.Remove(ScoreKeys.DaysColumn(axis, side));
                ScoreKeys.Write(month, ScoreKeys.Column(axis, side), CounterSet.Sum(days
                    .Where(d => d.Axis == axis && d.Side == side && ScoreKeys.Month(ScoreRows.MonthOf(d.Day)) == month.RowKey).Select(d => d.Counters)));
            }
            await table.UpdateEntityAsync(month, month.ETag, TableUpdateMode.Replace);
        }
        var rollups = storage.Account.Table(storage.TablePrefix + StorageOptions.RollupTableName);
        await foreach (var row in rollups.QueryAsync<TableEntity>($"PartitionKey eq 's2025'"))
            await rollups.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        await ledger.RepairRollupCopiesAsync(CancellationToken.None);

        // Changes after the upgrade: confirmed on the portal, and moved to another reception day.
        var changes = created.Take(30).Select((r, i) => new LedgerChange(r.Saved, i % 2 == 0
            ? r.Saved!.Confirmed(new DateTimeOffset(2025, 9, 1, 9, 0, 0, TimeSpan.FromHours(7)))
            : r.Saved! with { PhienBan = 2, NgayTiepNhan = r.Saved.NgayTiepNhan!.Value.AddDays(17), SourceFacts = r.Saved.SourceFacts! with
            {
                ReceivedDay = r.Saved.SourceFacts.ReceivedDay!.Value.AddDays(17),
                OnTime = r.Saved.SourceFacts.OnTime.State == OnTimeState.Ended ? OnTimeJudgement.Ended(r.Saved.SourceFacts.ReceivedDay.Value.AddDays(20), true) : r.Saved.SourceFacts.OnTime,
            } })).ToList();
        Assert.All(await ledger.SaveManyAsync(changes, CancellationToken.None), r => Assert.False(r.Conflicted));

        var entries = (await LedgerAudit.AllEntriesAsync(storage.Account, storage.TablePrefix, ledger)).Where(e => e.MaDonVi == "A").ToList();
        var recount = ScoreContributions.Sum(entries.Select(e => e.Contributions())).Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)).ToList();
        (DateOnly From, DateOnly To)[] ranges =
            [(new(2025, 1, 1), new(2025, 12, 31)), (new(2025, 4, 1), new(2025, 6, 30)), (new(2025, 1, 20), new(2025, 12, 31)), (new(2025, 3, 15), new(2025, 9, 10))];
        foreach (var period in ranges.SelectMany(r => new[] { ScorePeriod.Of(r.From, r.To, new DateOnly(2026, 6, 1)), ScorePeriod.Of(r.From, r.To, new DateOnly(2025, 5, 20)) }))
        {
            var (from, to) = (period.From, period.To);
            var totals = (await ledger.GetScoreTotalsAsync(["A"], period, CancellationToken.None))["A"];
            LedgerAudit.AssertSameScorecard(period, "A", recount, totals);
            var expected = ScoreRows.SumPeriod(recount, from, to);
            // A cut period keeps every reception day, one judged inside a month every due day: old names from the main
            // columns, new ones from the days columns.
            foreach (var side in (ScoreSide[])[ScoreSide.Source, ScoreSide.Portal])
            {
                if (!ScorePeriod.IsWholeMonths(from, to))
                    Assert.Equal(expected[ScoreAxis.Ended, side].ToString(), totals[ScoreAxis.Ended, side].ToString());
                if (!period.JudgesDueByMonth)
                    Assert.Equal(Dues(expected[ScoreAxis.Received, side]), Dues(totals[ScoreAxis.Received, side]));
            }
        }
    }
}
