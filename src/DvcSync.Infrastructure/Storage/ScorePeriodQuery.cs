using Azure.Data.Tables;
using DvcSync.Core.Indicators;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The scorecard counters of a period: month roll-ups of the months wholly inside it from the roll-up table (one query
/// per year, whatever the number of agencies), day rows of the partial months at either end from each agency's partition.
/// </summary>
internal sealed class ScorePeriodQuery(TableClient table, TableClient rollups)
{
    public async Task<IReadOnlyDictionary<string, ScoreTotals>> GetTotalsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        CancellationToken cancellationToken)
    {
        var firstWhole = from.Day == 1 ? from : ScoreRows.MonthOf(from).AddMonths(1);
        var afterLastWhole = ScoreRows.MonthOf(to);
        if (to == afterLastWhole.AddMonths(1).AddDays(-1)) afterLastWhole = afterLastWhole.AddMonths(1);

        var wanted = agencies.ToHashSet(StringComparer.Ordinal);
        var months = new List<(string Agency, ScoreRow Row)>();
        if (firstWhole < afterLastWhole)
        {
            var years = Enumerable.Range(firstWhole.Year, afterLastWhole.AddDays(-1).Year - firstWhole.Year + 1);
            foreach (var found in await Task.WhenAll(years.Select(year => MonthRowsAsync(year, wanted, cancellationToken))))
                months.AddRange(found);
        }
        var days = await Task.WhenAll(agencies.Select(async agency =>
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

        var monthsByAgency = months.ToLookup(m => m.Agency, m => m.Row, StringComparer.Ordinal);
        return days.ToDictionary(d => d.Agency, d => ScoreRows.SumPeriod(d.Rows, monthsByAgency[d.Agency], from, to), StringComparer.Ordinal);
    }

    /// <summary>Every day row of one agency in the period, for audits that compare the counters with a recount.</summary>
    public Task<List<ScoreRow>> DayRowsAsync(string agency, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        ReadRowsAsync(table, TableKeys.Escape(agency), ScoreKeys.Day(from), ScoreKeys.Day(to), ScoreKeys.ParseDay, cancellationToken);

    private async Task<List<(string, ScoreRow)>> MonthRowsAsync(int year, HashSet<string> wanted, CancellationToken cancellationToken)
    {
        var found = new List<(string, ScoreRow)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ScoreKeys.RollupPartition(year)}");
        await foreach (var row in rollups.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.GetString("MaDonVi") is not { } agency || !wanted.Contains(agency)) continue;
            for (var m = 1; m <= 12; m++)
                foreach (var (axis, side) in ScoreKeys.Sets)
                    found.Add((agency, new ScoreRow(axis, side, new DateOnly(year, m, 1), ScoreKeys.Read(row, ScoreKeys.RollupColumn(axis, side, m)))));
        }
        return found;
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
