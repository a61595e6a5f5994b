using Azure.Data.Tables;
using DvcSync.Core.Indicators;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The scorecard counters of a period. A period of whole months (a month, a quarter, a year) is read from the month
/// roll-ups in the roll-up table alone: one query per year, whatever the number of agencies. Any other period (a week,
/// a custom range that cuts a month) is read from each agency's day rows, all of them: the roll-ups name Ended-axis
/// receptions by month (<see cref="ScoreContributions.ByMonth"/>), which cannot tell a dossier received in the cut part
/// of a month from one received before the period.
/// </summary>
internal sealed class ScorePeriodQuery(TableClient table, TableClient rollups)
{
    public async Task<IReadOnlyDictionary<string, ScoreTotals>> GetTotalsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        CancellationToken cancellationToken)
    {
        var wanted = agencies.ToHashSet(StringComparer.Ordinal);
        // Months are summed as they are read, into one total per agency: no set per month and column is kept.
        var totals = new Dictionary<string, ScoreTotals>(StringComparer.Ordinal);
        foreach (var agency in wanted) totals[agency] = new ScoreTotals();
        if (ScorePeriod.IsWholeMonths(from, to))
        {
            for (var year = from.Year; year <= to.Year; year++)
                await AddWholeMonthsAsync(year, from, to.AddDays(1), totals, cancellationToken);
            return totals;
        }
        var days = await Task.WhenAll(wanted.Select(async agency => (Agency: agency, Rows: await DayRowsAsync(agency, from, to, cancellationToken))));
        foreach (var (agency, rows) in days)
            if (rows.Count > 0) totals[agency].Add(ScoreRows.SumPeriod(rows, [], from, to));
        return totals;
    }

    /// <summary>Every day row of one agency in the period, for audits that compare the counters with a recount.</summary>
    public Task<List<ScoreRow>> DayRowsAsync(string agency, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        ReadRowsAsync(table, TableKeys.Escape(agency), ScoreKeys.Day(from), ScoreKeys.Day(to), ScoreKeys.ParseDay, cancellationToken);

    /// <summary>
    /// Adds an agency-year row's months that lie wholly in [firstWhole, afterLastWhole) to that agency's total, asking
    /// the roll-up table for those months' columns only.
    /// </summary>
    private async Task AddWholeMonthsAsync(int year, DateOnly firstWhole, DateOnly afterLastWhole, Dictionary<string, ScoreTotals> totals,
        CancellationToken cancellationToken)
    {
        var months = Enumerable.Range(1, 12).Where(m => new DateOnly(year, m, 1) >= firstWhole && new DateOnly(year, m, 1) < afterLastWhole).ToList();
        var columns = months.SelectMany(m => ScoreKeys.Sets.Select(s => (s.Axis, s.Side, Column: ScoreKeys.RollupColumn(s.Axis, s.Side, m)))).ToList();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreKeys.RollupPartition(year)}");
        await foreach (var row in rollups.QueryAsync<TableEntity>(filter, select: ["MaDonVi", .. columns.Select(c => c.Column)], cancellationToken: cancellationToken))
        {
            if (row.GetString("MaDonVi") is not { } agency || !totals.TryGetValue(agency, out var total)) continue;
            foreach (var (axis, side, column) in columns) ScoreKeys.ReadInto(row, column, total[axis, side]);
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
