using Azure.Data.Tables;
using DvcSync.Core.Indicators;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The counts a sync-rate figure reads: month roll-ups of the months wholly inside a period, from the roll-up table
/// (one query per year, whatever the number of agencies), and day rows of the rest, from each agency's partition.
/// </summary>
internal sealed class LedgerPeriodQuery(TableClient table, TableClient rollups)
{
    public async Task<(IReadOnlyList<LedgerMonthCount> Months, IReadOnlyList<LedgerDayCount> Days)> GetPeriodCountsAsync(
        IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var (firstWhole, afterLastWhole) = WholeMonths(from, to);
        if (firstWhole >= afterLastWhole)
            return ([], await GetDayCountsAsync(agencies, from, to, cancellationToken));

        var wanted = agencies.ToHashSet(StringComparer.Ordinal);
        var years = Enumerable.Range(firstWhole.Year, afterLastWhole.AddDays(-1).Year - firstWhole.Year + 1);
        var monthsPerYear = await Task.WhenAll(years.Select(year => WholeMonthsAsync(year, wanted, firstWhole, afterLastWhole, cancellationToken)));

        var edgeDays = await Task.WhenAll(agencies.Select(async agency =>
        {
            var agencyDays = new List<LedgerDayCount>();
            if (from < firstWhole) agencyDays.AddRange(await DayRowsAsync(agency, from, firstWhole.AddDays(-1), cancellationToken));
            if (afterLastWhole <= to) agencyDays.AddRange(await DayRowsAsync(agency, afterLastWhole, to, cancellationToken));
            return agencyDays;
        }));
        return (monthsPerYear.SelectMany(m => m).ToList(), edgeDays.SelectMany(d => d).ToList());
    }

    /// <summary>The oldest confirmation kept beside the rows the period's figure reads (months whole, days at the edges) that count something synced.</summary>
    public async Task<DateTimeOffset?> GetOldestConfirmationAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var (firstWhole, afterLastWhole) = WholeMonths(from, to);
        var candidates = new List<DateTimeOffset?>();
        if (firstWhole < afterLastWhole)
        {
            var wanted = agencies.ToHashSet(StringComparer.Ordinal);
            foreach (var year in Enumerable.Range(firstWhole.Year, afterLastWhole.AddDays(-1).Year - firstWhole.Year + 1))
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RollupKeys.Partition(year)}");
                await foreach (var row in rollups.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                {
                    if (row.GetString("MaDonVi") is not { } agency || !wanted.Contains(agency)) continue;
                    for (var m = 1; m <= 12; m++)
                    {
                        var month = new DateOnly(year, m, 1);
                        if (month < firstWhole || month >= afterLastWhole || (row.GetInt64(RollupKeys.Column("Synced", m)) ?? 0) <= 0) continue;
                        candidates.Add(row.GetDateTimeOffset(RollupKeys.Column(LedgerDerivedRows.OldestConfirmed, m)));
                    }
                }
            }
        }
        var edges = firstWhole >= afterLastWhole
            ? [(from, to)]
            : new List<(DateOnly From, DateOnly To)> { (from, firstWhole.AddDays(-1)), (afterLastWhole, to) }.Where(r => r.From <= r.To).ToList();
        var perAgency = await Task.WhenAll(agencies.SelectMany(agency => edges.Select(async range =>
        {
            var found = new List<DateTimeOffset?>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {TableKeys.Day(range.From)} and RowKey le {TableKeys.Day(range.To)}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Synced", LedgerDerivedRows.OldestConfirmed], cancellationToken: cancellationToken))
                if ((row.GetInt64("Synced") ?? 0) > 0) found.Add(row.GetDateTimeOffset(LedgerDerivedRows.OldestConfirmed));
            return found;
        })));
        candidates.AddRange(perAgency.SelectMany(f => f));
        // A row counted synced before this column existed says nothing: the oldest of those that do is given.
        return candidates.Where(c => c is not null).Min();
    }

    /// <summary>
    /// Whole months come from their roll-ups; the partial months at either end from their days. The first whole month
    /// and the month after the last (equal, or the first after the last, when there is none).
    /// </summary>
    internal static (DateOnly FirstWhole, DateOnly AfterLastWhole) WholeMonths(DateOnly from, DateOnly to)
    {
        var firstWhole = from.Day == 1 ? from : new DateOnly(from.Year, from.Month, 1).AddMonths(1);
        var afterLastWhole = new DateOnly(to.Year, to.Month, 1);
        if (to == afterLastWhole.AddMonths(1).AddDays(-1)) afterLastWhole = afterLastWhole.AddMonths(1);
        return (firstWhole, afterLastWhole);
    }

    public async Task<IReadOnlyList<LedgerDayCount>> GetDayCountsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var perAgency = await Task.WhenAll(agencies.Select(agency => DayRowsAsync(agency, from, to, cancellationToken)));
        return perAgency.SelectMany(c => c).ToList();
    }

    private async Task<List<LedgerMonthCount>> WholeMonthsAsync(int year, HashSet<string> wanted, DateOnly firstWhole, DateOnly afterLastWhole,
        CancellationToken cancellationToken)
    {
        var found = new List<LedgerMonthCount>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RollupKeys.Partition(year)}");
        await foreach (var row in rollups.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.GetString("MaDonVi") is not { } agency || !wanted.Contains(agency)) continue;
            for (var m = 1; m <= 12; m++)
            {
                var month = new DateOnly(year, m, 1);
                if (month < firstWhole || month >= afterLastWhole) continue;
                if (row.GetInt64(RollupKeys.Column("Version", m)) is null) continue;
                found.Add(new LedgerMonthCount(agency, month, row.GetInt64(RollupKeys.Column("Received", m)) ?? 0, row.GetInt64(RollupKeys.Column("Synced", m)) ?? 0));
            }
        }
        return found;
    }

    private async Task<List<LedgerDayCount>> DayRowsAsync(string agency, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var counts = new List<LedgerDayCount>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {TableKeys.Day(from)} and RowKey le {TableKeys.Day(to)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Seen", "Synced", "Reported"], cancellationToken: cancellationToken))
            counts.Add(new LedgerDayCount(agency, TableKeys.ParseDay(row.RowKey), row.GetInt64("Seen") ?? 0, row.GetInt64("Synced") ?? 0, row.GetInt64("Reported") ?? 0));
        return counts;
    }
}
