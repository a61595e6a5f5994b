using Azure.Data.Tables;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Stores the provincial system's received counts in the day rows beside the ledger's own counts, adjusting each
/// month's roll-up (<c>max(reported, seen)</c> per day) in the same transaction, and copies the roll-ups on.
/// </summary>
internal sealed class ReportedCountRecorder(TableClient table, PartitionRegistry partitions, LedgerDerivedRows derived, RollupMirror mirror)
{
    public async Task RecordAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        // Agencies the report lists, and those the ledger has: a report that drops an agency's day must zero it.
        var agencies = counts.Select(c => c.MaDonVi).ToHashSet(StringComparer.Ordinal);
        await foreach (var known in partitions.ListAsync(cancellationToken)) agencies.Add(known);
        foreach (var agency in agencies.Order(StringComparer.Ordinal))
        {
            await partitions.EnsureAsync(agency, cancellationToken);
            var reported = counts.Where(c => c.MaDonVi == agency && c.Ngay >= from && c.Ngay <= to)
                .GroupBy(c => c.Ngay).ToDictionary(g => g.Key, g => g.Sum(c => c.SoHoSoTiepNhan));
            // One transaction per month: its day rows and its roll-up change together.
            for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
                await RecordMonthAsync(agency, month, from, to, reported, cancellationToken);
        }
    }

    private async Task RecordMonthAsync(string agency, DateOnly month, DateOnly from, DateOnly to, Dictionary<DateOnly, long> reported, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(agency);
        var first = month < from ? from : month;
        var last = month.AddMonths(1).AddDays(-1) > to ? to : month.AddMonths(1).AddDays(-1);
        for (var attempt = 0; ; attempt++)
        {
            var existing = new Dictionary<DateOnly, TableEntity>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {TableKeys.Day(first)} and RowKey le {TableKeys.Day(last)}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                existing[TableKeys.ParseDay(row.RowKey)] = row;

            var actions = new List<TableTransactionAction>();
            long receivedDelta = 0;
            for (var day = first; day <= last; day = day.AddDays(1))
            {
                var now = reported.GetValueOrDefault(day);
                if (existing.TryGetValue(day, out var row))
                {
                    var before = row.GetInt64("Reported") ?? 0;
                    if (before == now) continue;
                    var seen = row.GetInt64("Seen") ?? 0;
                    receivedDelta += Math.Max(now, seen) - Math.Max(before, seen);
                    row["Reported"] = now;
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
                }
                else if (now > 0)
                {
                    receivedDelta += now;
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add,
                        new TableEntity(partition, TableKeys.Day(day)) { ["Seen"] = 0L, ["Synced"] = 0L, ["Reported"] = now }));
                }
            }
            if (actions.Count == 0) return;
            await derived.AddMonthActionsAsync(partition, new() { [month] = (receivedDelta, 0) }, actions, cancellationToken);

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                await mirror.CopyAsync(partition, agency, LedgerDerivedRows.MonthsTouched(actions), cancellationToken);
                return;
            }
            catch (TableTransactionFailedException failure) when (attempt < LedgerConcurrency.MaxRetries && LedgerConcurrency.IsConflict(failure.Status))
            {
                // A dossier of this agency changed a count meanwhile: read the month again.
                await LedgerConcurrency.BackOffAsync(attempt, cancellationToken);
            }
        }
    }
}
