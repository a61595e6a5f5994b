using Azure.Data.Tables;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Copies scorecard month roll-ups into the roll-up table, one row per agency and year (<see cref="ScoreKeys"/>), as
/// <see cref="RollupMirror"/> does for the 1.4 counts: the ledger partition stays the truth, a copy carries the month's
/// version so an older copy never overwrites a newer one, and <see cref="RepairAllAsync"/> redoes copies a crash lost.
/// </summary>
internal sealed class ScoreRollupMirror(TableClient ledger, TableClient rollups, PartitionRegistry partitions)
{
    public async Task CopyAsync(string partition, string maDonVi, IEnumerable<string> monthKeys, CancellationToken cancellationToken)
    {
        foreach (var monthKey in monthKeys.Distinct())
        {
            var source = await ledger.GetEntityIfExistsAsync<TableEntity>(partition, monthKey, cancellationToken: cancellationToken);
            if (source.HasValue) await CopyMonthAsync(maDonVi, source.Value!, cancellationToken);
        }
    }

    public async Task RepairAllAsync(CancellationToken cancellationToken)
    {
        await foreach (var agency in partitions.ListAsync(cancellationToken))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {ScoreKeys.MonthPrefix} and RowKey lt {TableKeys.After(ScoreKeys.MonthPrefix)}");
            await foreach (var month in ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                await CopyMonthAsync(agency, month, cancellationToken);
        }
    }

    private async Task CopyMonthAsync(string maDonVi, TableEntity month, CancellationToken cancellationToken)
    {
        var day = ScoreKeys.ParseMonth(month.RowKey);
        var version = month.GetInt64("Version") ?? 0;
        var versionColumn = RollupKeys.Column("Version", day.Month);
        for (var attempt = 0; attempt < LedgerConcurrency.MaxRetries; attempt++)
        {
            var partition = ScoreKeys.RollupPartition(day.Year);
            var current = await rollups.GetEntityIfExistsAsync<TableEntity>(partition, RollupKeys.Row(maDonVi), cancellationToken: cancellationToken);
            var row = current.HasValue ? current.Value! : new TableEntity(partition, RollupKeys.Row(maDonVi)) { ["MaDonVi"] = maDonVi };
            if ((row.GetInt64(versionColumn) ?? 0) >= version) return;
            foreach (var (axis, side) in ScoreKeys.Sets)
                ScoreKeys.Write(row, ScoreKeys.RollupColumn(axis, side, day.Month), ScoreKeys.Read(month, ScoreKeys.Column(axis, side)));
            row[versionColumn] = version;
            try
            {
                if (current.HasValue) await rollups.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                else await rollups.AddEntityAsync(row, cancellationToken);
                return;
            }
            catch (Azure.RequestFailedException e) when (LedgerConcurrency.IsConflict(e.Status))
            {
                // Another writer copied a month of this agency meanwhile; read the row again.
            }
        }
    }
}
