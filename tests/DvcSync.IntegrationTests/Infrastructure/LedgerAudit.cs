using Azure.Data.Tables;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>Reads the ledger table whole, to prove its per-day counts and scorecard counters equal a full recount of its entries.</summary>
public static class LedgerAudit
{
    public static async Task<IReadOnlyList<LedgerEntry>> AllEntriesAsync(StorageAccount account, string tablePrefix, ISyncLedger ledger)
    {
        var table = account.Table(tablePrefix + StorageOptions.LedgerTableName);
        var entries = new List<LedgerEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.RowKey.CompareTo("h|") >= 0 && r.RowKey.CompareTo("h}") < 0))
            entries.Add((await ledger.GetAsync(row.GetString("MaDonVi"), row.GetString("MaHoSo"), CancellationToken.None))!);
        return entries;
    }

    public static async Task AssertCountsEqualRecountAsync(StorageAccount account, string tablePrefix, ISyncLedger ledger) =>
        await AssertCountsEqualRecountAsync(await AllEntriesAsync(account, tablePrefix, ledger), ledger);

    /// <summary>The ledger's day counts, month roll-ups and unsynced index equal a recount of <paramref name="entries"/> (all of them).</summary>
    public static async Task AssertCountsEqualRecountAsync(IReadOnlyList<LedgerEntry> entries, ISyncLedger ledger)
    {
        var counted = entries.Where(e => e.ReceivedDay is not null).ToList();
        var agencies = entries.Select(e => e.MaDonVi).Distinct().ToList();
        var first = counted.Min(e => e.ReceivedDay!.Value);
        var last = counted.Max(e => e.ReceivedDay!.Value);

        var days = await ledger.GetDayCountsAsync(agencies, first, last, CancellationToken.None);
        var stored = days.Select(c => c with { Reported = 0 })
            .Where(c => c.Seen != 0 || c.Synced != 0)
            .OrderBy(c => c.MaDonVi, StringComparer.Ordinal).ThenBy(c => c.Day).ToList();
        var recount = counted.GroupBy(e => (e.MaDonVi, Day: e.ReceivedDay!.Value))
            .Select(g => new LedgerDayCount(g.Key.MaDonVi, g.Key.Day, g.Count(), g.Count(e => e.CountsAsSynced)))
            .OrderBy(c => c.MaDonVi, StringComparer.Ordinal).ThenBy(c => c.Day).ToList();
        Assert.Equal(recount, stored);

        // The month roll-ups agree with their days.
        var firstMonth = new DateOnly(first.Year, first.Month, 1);
        var lastMonth = new DateOnly(last.Year, last.Month, 1).AddMonths(1).AddDays(-1);
        var (months, _) = await ledger.GetPeriodCountsAsync(agencies, firstMonth, lastMonth, CancellationToken.None);
        var allDays = await ledger.GetDayCountsAsync(agencies, firstMonth, lastMonth, CancellationToken.None);
        var fromDays = allDays.GroupBy(d => (d.MaDonVi, Month: new DateOnly(d.Day.Year, d.Day.Month, 1)))
            .Select(g => new LedgerMonthCount(g.Key.MaDonVi, g.Key.Month, g.Sum(d => d.Received), g.Sum(d => d.Synced)))
            .Where(m => m.Received != 0 || m.Synced != 0)
            .OrderBy(m => m.MaDonVi, StringComparer.Ordinal).ThenBy(m => m.Month).ToList();
        Assert.Equal(fromDays, months.Where(m => m.Received != 0 || m.Synced != 0).OrderBy(m => m.MaDonVi, StringComparer.Ordinal).ThenBy(m => m.Month).ToList());

        var unsynced = await ledger.GetUnsyncedAsync(agencies, first, last, null, 100_000, CancellationToken.None);
        Assert.Equal(counted.Where(e => e.IsUnsynced).Select(e => e.MaHoSo).Order(), unsynced.Select(e => e.MaHoSo).Order());

        await AssertScoreCountersEqualRecountAsync(entries, ledger);
    }

    /// <summary>
    /// The scorecard counters — day rows and, through period totals of whole months, the roll-ups — equal a recount;
    /// judged after the period (due months) and inside its last month (due days, kept apart).
    /// </summary>
    public static async Task AssertScoreCountersEqualRecountAsync(IReadOnlyList<LedgerEntry> entries, ISyncLedger ledger)
    {
        foreach (var agency in entries.GroupBy(e => e.MaDonVi, StringComparer.Ordinal))
        {
            var recount = ScoreContributions.Sum(agency.Select(e => e.Contributions()));
            if (recount.IsEmpty) continue;
            var first = recount.Rows.Keys.Min(k => k.Day);
            var last = recount.Rows.Keys.Max(k => k.Day);
            var stored = await ledger.GetScoreDayRowsAsync(agency.Key, first, last, CancellationToken.None);
            Assert.Equal(Describe(recount.Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value))), Describe(stored));

            var wholeMonths = (From: ScoreRows.MonthOf(first), To: ScoreRows.MonthOf(last).AddMonths(1).AddDays(-1));
            var dayRows = recount.Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)).ToList();
            foreach (var evaluationDay in (DateOnly[])[wholeMonths.To.AddDays(1), wholeMonths.To.AddDays(-9)])
            {
                var period = ScorePeriod.Of(wholeMonths.From, wholeMonths.To, evaluationDay);
                var totals = (await ledger.GetScoreTotalsAsync([agency.Key], period, CancellationToken.None))[agency.Key];
                // Whole months come from the roll-ups, whose names carry reception and due months.
                var expected = ScoreRows.SumPeriod(dayRows, ScoreRows.RollUp(dayRows), period);
                foreach (var axis in Enum.GetValues<ScoreAxis>())
                    foreach (var side in Enum.GetValues<ScoreSide>())
                        Assert.Equal(expected[axis, side].ToString(), totals[axis, side].ToString());
            }
        }
    }

    /// <summary>
    /// What the scorecard makes of an agency's stored totals equals what it makes of its day rows summed over the period
    /// (the long way), however the store named the counters (days, months, the days kept apart).
    /// </summary>
    public static void AssertSameScorecard(ScorePeriod period, string agency, IEnumerable<ScoreRow> dayRows, ScoreTotals stored)
    {
        string Card(ScoreTotals counters) => System.Text.Json.JsonSerializer.Serialize(new ScorecardCalculator()
            .Compute(period, [new AgencyScoreInput(agency, new SyncCounts(1, 1, 1), counters)], new Dictionary<string, IReadOnlySet<string>>()));
        Assert.Equal(Card(ScoreRows.SumPeriod(dayRows, period.From, period.To)), Card(stored));
    }

    private static List<string> Describe(IEnumerable<ScoreRow> rows) =>
        rows.Where(r => r.Counters.Count > 0).Select(r => $"{r.Axis} {r.Side} {r.Day:yyyy-MM-dd}: {r.Counters}").Order(StringComparer.Ordinal).ToList();
}
