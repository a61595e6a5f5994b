using Azure.Data.Tables;
using DvcSync.Core.Indicators;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The scorecard counters of a period, from the roll-up table (one query per year, whatever the number of agencies)
/// for the months wholly inside it and from each agency's day rows for the cut months at either end. The roll-ups name
/// Ended-axis receptions and open dossiers' due days by month (<see cref="ScoreContributions.ByMonth"/>): right for a
/// finished period of whole months (a month, a quarter, a year), which reads those names and nothing else. A period
/// that cuts a month must know whether a dossier was received in the cut part, and one judged inside a month (the
/// running year, judged today) whether a due day is before that day: for them the whole months' counters of that kind
/// come from the roll-ups' days columns (<see cref="ScoreKeys.DaysColumn"/>) instead, plus the day-keyed names that
/// roll-ups written before month keys still hold in their main columns.
/// </summary>
internal sealed class ScorePeriodQuery(TableClient table, TableClient rollups)
{
    public async Task<IReadOnlyDictionary<string, ScoreTotals>> GetTotalsAsync(IReadOnlyCollection<string> agencies, ScorePeriod period,
        CancellationToken cancellationToken)
    {
        var (from, to) = (period.From, period.To);
        var firstWhole = from.Day == 1 ? from : ScoreRows.MonthOf(from).AddMonths(1);
        var afterLastWhole = ScoreRows.MonthOf(to);
        if (to == afterLastWhole.AddMonths(1).AddDays(-1)) afterLastWhole = afterLastWhole.AddMonths(1);
        // A cut period reads every kind by day, as its cut months' day rows give them, so its totals are those of the
        // day rows (ScoreRows.SumPeriod); a period of whole months judged inside a month needs only the due days.
        var cut = !ScorePeriod.IsWholeMonths(from, to);
        var needsDays = new Dictionary<ScoreAxis, bool>
        {
            [ScoreAxis.Ended] = cut,
            [ScoreAxis.Received] = cut || !period.JudgesDueByMonth,
        };

        var wanted = agencies.ToHashSet(StringComparer.Ordinal);
        // Whole months are summed as they are read, into one total per agency: no set per month and column is kept.
        var totals = new Dictionary<string, ScoreTotals>(StringComparer.Ordinal);
        foreach (var agency in wanted) totals[agency] = new ScoreTotals();
        if (firstWhole < afterLastWhole)
        {
            for (var year = firstWhole.Year; year <= afterLastWhole.AddDays(-1).Year; year++)
                await AddWholeMonthsAsync(year, firstWhole, afterLastWhole, needsDays, totals, cancellationToken);
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
            if (rows.Count > 0) totals[agency].Add(ScoreRows.SumPeriod(rows, from, to));
        return totals;
    }

    /// <summary>Every day row of one agency in the period, for audits that compare the counters with a recount.</summary>
    public Task<List<ScoreRow>> DayRowsAsync(string agency, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        ReadRowsAsync(table, TableKeys.Escape(agency), ScoreKeys.Day(from), ScoreKeys.Day(to), ScoreKeys.ParseDay, cancellationToken);

    /// <summary>
    /// Adds an agency-year row's months that lie wholly in [firstWhole, afterLastWhole) to that agency's total, asking
    /// the roll-up table for those months' columns only. For an axis in <paramref name="needsDays"/> the month-keyed
    /// names of its main columns are left out and its days columns read instead: they count the same dossiers by day;
    /// the day-keyed names still in main columns (roll-ups written before month keys) count the rest.
    /// </summary>
    private async Task AddWholeMonthsAsync(int year, DateOnly firstWhole, DateOnly afterLastWhole, IReadOnlyDictionary<ScoreAxis, bool> needsDays,
        Dictionary<string, ScoreTotals> totals, CancellationToken cancellationToken)
    {
        var months = Enumerable.Range(1, 12).Where(m => new DateOnly(year, m, 1) >= firstWhole && new DateOnly(year, m, 1) < afterLastWhole).ToList();
        var columns = months.SelectMany(m => ScoreKeys.Sets.Select(s => (s.Axis, s.Side, Column: ScoreKeys.RollupColumn(s.Axis, s.Side, m)))).ToList();
        var daysColumns = months.SelectMany(m => ScoreKeys.Sets.Where(s => needsDays[s.Axis])
            .Select(s => (s.Axis, s.Side, Column: ScoreKeys.RollupDaysColumn(s.Axis, s.Side, m)))).ToList();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreKeys.RollupPartition(year)}");
        await foreach (var row in rollups.QueryAsync<TableEntity>(filter, select: ["MaDonVi", .. columns.Select(c => c.Column), .. daysColumns.Select(c => c.Column)], cancellationToken: cancellationToken))
        {
            if (row.GetString("MaDonVi") is not { } agency || !totals.TryGetValue(agency, out var total)) continue;
            foreach (var (axis, side, column) in columns) ScoreKeys.ReadInto(row, column, total[axis, side], skipMonths: needsDays[axis]);
            foreach (var (axis, side, column) in daysColumns) ScoreKeys.ReadInto(row, column, total[axis, side]);
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
