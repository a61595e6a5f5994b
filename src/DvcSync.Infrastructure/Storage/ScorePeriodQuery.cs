using Azure.Data.Tables;
using DvcSync.Core.Indicators;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The scorecard counters of a period, from the roll-up table (one query per year, whatever the number of agencies)
/// for the months wholly inside it and from each agency's day rows for the cut months at either end. The roll-ups name
/// Ended-axis receptions by month (<see cref="ScoreContributions.ByMonth"/>): right for a period of whole months (a
/// month, a quarter, a year), which reads those names and nothing else; a period that cuts a month must know whether a
/// dossier was received in the cut part, so for it the whole months' Ended counters come from the roll-ups' days
/// columns (<see cref="ScoreKeys.DaysColumn"/>) instead, plus the day-keyed names roll-ups written before month keys
/// still hold in their Ended columns.
/// </summary>
internal sealed class ScorePeriodQuery(TableClient table, TableClient rollups)
{
    public async Task<IReadOnlyDictionary<string, ScoreTotals>> GetTotalsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        CancellationToken cancellationToken)
    {
        var firstWhole = from.Day == 1 ? from : ScoreRows.MonthOf(from).AddMonths(1);
        var afterLastWhole = ScoreRows.MonthOf(to);
        if (to == afterLastWhole.AddMonths(1).AddDays(-1)) afterLastWhole = afterLastWhole.AddMonths(1);
        var byDay = !ScorePeriod.IsWholeMonths(from, to);

        var wanted = agencies.ToHashSet(StringComparer.Ordinal);
        // Whole months are summed as they are read, into one total per agency: no set per month and column is kept.
        var totals = new Dictionary<string, ScoreTotals>(StringComparer.Ordinal);
        foreach (var agency in wanted) totals[agency] = new ScoreTotals();
        if (firstWhole < afterLastWhole)
        {
            for (var year = firstWhole.Year; year <= afterLastWhole.AddDays(-1).Year; year++)
                await AddWholeMonthsAsync(year, firstWhole, afterLastWhole, byDay, totals, cancellationToken);
        }
        var days = await Task.WhenAll(wanted.Select(async agency =>
        {
            var rows = new List<ScoreRow>();
            if (firstWhole >= afterLastWhole) rows.AddRange(await DayRowsAsync(agency, from, to, cancellationToken));
            else
            {
                if (from < firstWhole) rows.AddRange(await DayRowsAsync(agency, from, firstWhole.AddDays(-1), cancellationToken));
                if (afterLastWhole <= to) rows.AddRange(await DayRowsAsync(agency, afterLastWhole, to, cancellationToken));
            }
            return (Agency: agency, Rows: rows);
        }));
        // Day rows are read only outside the whole months, so none of them is counted twice.
        foreach (var (agency, rows) in days)
            if (rows.Count > 0) totals[agency].Add(ScoreRows.SumPeriod(rows, [], from, to));
        return totals;
    }

    /// <summary>Every day row of one agency in the period, for audits that compare the counters with a recount.</summary>
    public Task<List<ScoreRow>> DayRowsAsync(string agency, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        ReadRowsAsync(table, TableKeys.Escape(agency), ScoreKeys.Day(from), ScoreKeys.Day(to), ScoreKeys.ParseDay, cancellationToken);

    /// <summary>
    /// Adds an agency-year row's months that lie wholly in [firstWhole, afterLastWhole) to that agency's total, asking
    /// the roll-up table for those months' columns only. <paramref name="byDay"/>: the period cuts a month, so the
    /// Ended axis must keep reception days — its days columns, and the day-keyed names of its Ended columns (roll-ups
    /// written before month keys); the month-keyed names of those columns count the same dossiers as the days columns.
    /// </summary>
    private async Task AddWholeMonthsAsync(int year, DateOnly firstWhole, DateOnly afterLastWhole, bool byDay, Dictionary<string, ScoreTotals> totals,
        CancellationToken cancellationToken)
    {
        var months = Enumerable.Range(1, 12).Where(m => new DateOnly(year, m, 1) >= firstWhole && new DateOnly(year, m, 1) < afterLastWhole).ToList();
        var columns = months.SelectMany(m => ScoreKeys.Sets.Select(s => (s.Axis, s.Side, Column: ScoreKeys.RollupColumn(s.Axis, s.Side, m)))).ToList();
        var daysColumns = !byDay ? [] : months.SelectMany(m => ScoreKeys.Sides.Select(side => (Side: side, Column: ScoreKeys.RollupDaysColumn(side, m)))).ToList();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreKeys.RollupPartition(year)}");
        await foreach (var row in rollups.QueryAsync<TableEntity>(filter, select: ["MaDonVi", .. columns.Select(c => c.Column), .. daysColumns.Select(c => c.Column)], cancellationToken: cancellationToken))
        {
            if (row.GetString("MaDonVi") is not { } agency || !totals.TryGetValue(agency, out var total)) continue;
            foreach (var (axis, side, column) in columns) ScoreKeys.ReadInto(row, column, total[axis, side], skipEndedMonths: byDay && axis == ScoreAxis.Ended);
            foreach (var (side, column) in daysColumns) ScoreKeys.ReadInto(row, column, total[ScoreAxis.Ended, side]);
        }
    }

    private static async Task<List<ScoreRow>> ReadRowsAsync(TableClient client, string partition, string fromKey, string toKey,
        Func<string, DateOnly> parse, CancellationToken cancellationToken)
    {
        var rows = new List<ScoreRow>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {fromKey} and RowKey le {toKey}");
        await foreach (var row in client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            foreach (var (axis, side) in ScoreKeys.Sets)
                rows.Add(new ScoreRow(axis, side, parse(row.RowKey), ScoreKeys.Read(row, ScoreKeys.Column(axis, side))));
        return rows;
    }
}
