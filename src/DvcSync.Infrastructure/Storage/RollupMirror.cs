using Azure.Data.Tables;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// What differs between the month roll-ups copied into the roll-up table: the ledger rows' key prefix and how to read
/// their month, the roll-up table's partition for a year, and which columns a month's copy writes.
/// </summary>
internal sealed record RollupShape(
    string MonthPrefix,
    Func<string, DateOnly> ParseMonth,
    Func<int, string> Partition,
    Action<TableEntity, TableEntity, int> CopyColumns)
{
    /// <summary>The 1.4 counts (<see cref="RollupKeys"/>): received and synced per month, and the oldest confirmation behind synced.</summary>
    public static readonly RollupShape SyncRate = new(TableKeys.MonthPrefix, TableKeys.ParseMonth, RollupKeys.Partition, (month, row, m) =>
    {
        row[RollupKeys.Column("Received", m)] = month.GetInt64("Received") ?? 0;
        row[RollupKeys.Column("Synced", m)] = month.GetInt64("Synced") ?? 0;
        row[RollupKeys.Column(LedgerDerivedRows.OldestConfirmed, m)] = month.GetDateTimeOffset(LedgerDerivedRows.OldestConfirmed);
    });

    /// <summary>The scorecard counters (<see cref="ScoreKeys"/>): one serialized column per axis and side per month, and one with days.</summary>
    public static readonly RollupShape Scorecard = new(ScoreKeys.MonthPrefix, ScoreKeys.ParseMonth, ScoreKeys.RollupPartition, (month, row, m) =>
    {
        foreach (var (axis, side) in ScoreKeys.Sets)
        {
            ScoreKeys.Write(row, ScoreKeys.RollupColumn(axis, side, m), ScoreKeys.Read(month, ScoreKeys.Column(axis, side)));
            ScoreKeys.Write(row, ScoreKeys.RollupDaysColumn(axis, side, m), ScoreKeys.Read(month, ScoreKeys.DaysColumn(axis, side)));
        }
    });
}

/// <summary>
/// Copies month roll-ups into the small roll-up table, one row per agency and year, where a province-wide year is one
/// query. The ledger partition stays the truth; a copy carries the month's version, so an older copy never overwrites
/// a newer one, and a copy lost to a crash between the two writes is redone by <see cref="RepairAllAsync"/>.
/// </summary>
internal sealed class RollupMirror(TableClient ledger, TableClient rollups, PartitionRegistry partitions, RollupShape shape)
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
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {shape.MonthPrefix} and RowKey lt {TableKeys.After(shape.MonthPrefix)}");
            await foreach (var month in ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                await CopyMonthAsync(agency, month, cancellationToken);
        }
    }

    private async Task CopyMonthAsync(string maDonVi, TableEntity month, CancellationToken cancellationToken)
    {
        var day = shape.ParseMonth(month.RowKey);
        var version = month.GetInt64("Version") ?? 0;
        var versionColumn = RollupKeys.Column("Version", day.Month);
        var partition = shape.Partition(day.Year);
        for (var attempt = 0; attempt < LedgerConcurrency.MaxRetries; attempt++)
        {
            var current = await rollups.GetEntityIfExistsAsync<TableEntity>(partition, RollupKeys.Row(maDonVi), cancellationToken: cancellationToken);
            var row = current.HasValue ? current.Value! : new TableEntity(partition, RollupKeys.Row(maDonVi)) { ["MaDonVi"] = maDonVi };
            if ((row.GetInt64(versionColumn) ?? 0) >= version) return;
            shape.CopyColumns(month, row, day.Month);
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
