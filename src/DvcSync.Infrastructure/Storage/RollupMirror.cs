using Azure.Data.Tables;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Copies month roll-ups into the small roll-up table (<see cref="RollupKeys"/>), where a province-wide year is one
/// query. The ledger partition stays the truth; a copy carries the month's version, so an older copy never overwrites
/// a newer one, and a copy lost to a crash between the two writes is redone by <see cref="RepairAllAsync"/>.
/// </summary>
internal sealed class RollupMirror(TableClient ledger, TableClient rollups, PartitionRegistry partitions)
{
    /// <summary>Copies the months <paramref name="monthKeys"/> of an agency as its partition holds them now.</summary>
    public async Task CopyAsync(string partition, string maDonVi, IEnumerable<string> monthKeys, CancellationToken cancellationToken)
    {
        foreach (var monthKey in monthKeys.Distinct())
        {
            var source = await ledger.GetEntityIfExistsAsync<TableEntity>(partition, monthKey, cancellationToken: cancellationToken);
            if (source.HasValue) await CopyMonthAsync(maDonVi, source.Value!, cancellationToken);
        }
    }

    /// <summary>Copies every month of every agency again.</summary>
    public async Task RepairAllAsync(CancellationToken cancellationToken)
    {
        await foreach (var agency in partitions.ListAsync(cancellationToken))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {TableKeys.MonthPrefix} and RowKey lt {TableKeys.After(TableKeys.MonthPrefix)}");
            await foreach (var month in ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                await CopyMonthAsync(agency, month, cancellationToken);
        }
    }

    private async Task CopyMonthAsync(string maDonVi, TableEntity month, CancellationToken cancellationToken)
    {
        var day = TableKeys.ParseMonth(month.RowKey);
        var version = month.GetInt64("Version") ?? 0;
        for (var attempt = 0; attempt < LedgerConcurrency.MaxRetries; attempt++)
        {
            var current = await rollups.GetEntityIfExistsAsync<TableEntity>(RollupKeys.Partition(day.Year), RollupKeys.Row(maDonVi), cancellationToken: cancellationToken);
            var row = current.HasValue ? current.Value! : new TableEntity(RollupKeys.Partition(day.Year), RollupKeys.Row(maDonVi)) { ["MaDonVi"] = maDonVi };
            if ((row.GetInt64(RollupKeys.Column("Version", day.Month)) ?? 0) >= version) return;
            row[RollupKeys.Column("Received", day.Month)] = month.GetInt64("Received") ?? 0;
            row[RollupKeys.Column("Synced", day.Month)] = month.GetInt64("Synced") ?? 0;
            row[RollupKeys.Column("Version", day.Month)] = version;
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
