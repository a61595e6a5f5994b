using System.Threading.Channels;
using Azure.Data.Tables;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.Testing;

/// <summary>What <see cref="LedgerBulkLoader"/> wrote.</summary>
public sealed record LedgerLoadSummary(long Entries, int Agencies, long DayRows, long MonthRows, long RollupRows, long Transactions);

/// <summary>
/// Writes a whole ledger straight into empty tables, leaving the rows <see cref="TableSyncLedger"/> would have left had it
/// saved every entry one at a time and copied the provincial received counts: each entry with its index rows, the day
/// counts, the month roll-ups and their copies in the roll-up table, and the partition registry. It exists so that a
/// benchmark can start from a million confirmed dossiers in minutes instead of days of portal calls.
/// <para>
/// The layout is <see cref="TableSyncLedger"/>'s, through the same <see cref="LedgerEntryMapping"/>, <see cref="TableKeys"/>,
/// <see cref="RollupKeys"/> and registry partition; the scale benchmark's <c>check</c> compares a loaded ledger with one
/// the reconciliation wrote.
/// Month rows and their copies start at version 1, where a real ledger has counted every save: versions only order the
/// copies, and both sides agree.
/// </para>
/// Rows are added, never replaced: loading over an existing ledger fails rather than corrupting its counts. Nothing else
/// may write the same agencies meanwhile.
/// </summary>
public sealed class LedgerBulkLoader(StorageAccount account, string tablePrefix = "", int parallelism = 8)
{
    private const int MaxActionsPerTransaction = 100;

    /// <param name="entries">One entry per dossier, no MaHoSo twice.</param>
    /// <param name="reported">The provincial system's received counts, as the reconciliation copies them beside the ledger's.</param>
    public async Task<LedgerLoadSummary> LoadAsync(IAsyncEnumerable<LedgerEntry> entries, IReadOnlyList<ReportedReceivedCount> reported,
        CancellationToken cancellationToken)
    {
        var ledger = account.Table(tablePrefix + StorageOptions.LedgerTableName);
        var state = account.Table(tablePrefix + StorageOptions.StateTableName);
        var rollups = account.Table(tablePrefix + StorageOptions.RollupTableName);
        await ledger.CreateIfNotExistsAsync(cancellationToken);
        await state.CreateIfNotExistsAsync(cancellationToken);
        await rollups.CreateIfNotExistsAsync(cancellationToken);

        // Transactions go to a few writers through a bounded channel: reading the input never runs far ahead of storage.
        var batches = Channel.CreateBounded<(TableClient Table, List<TableTransactionAction> Actions)>(Math.Max(1, parallelism) * 2);
        long transactions = 0;
        Exception? failure = null;
        var writers = Enumerable.Range(0, Math.Max(1, parallelism)).Select(_ => Task.Run(async () =>
        {
            try
            {
                await foreach (var (table, actions) in batches.Reader.ReadAllAsync(cancellationToken))
                {
                    await table.SubmitTransactionAsync(actions, cancellationToken);
                    Interlocked.Increment(ref transactions);
                }
            }
            catch (Exception e)
            {
                // The first failure stops the reader of the input too, instead of leaving it blocked on a full channel.
                Interlocked.CompareExchange(ref failure, e, null);
                batches.Writer.TryComplete(e);
            }
        }, cancellationToken)).ToList();

        long entryCount = 0, dayRows = 0, monthRows = 0, rollupRows = 0;
        var agencies = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            var pending = new Dictionary<string, List<TableTransactionAction>>(StringComparer.Ordinal);
            var days = new Dictionary<(string Agency, DateOnly Day), (long Seen, long Synced)>();
            await foreach (var entry in entries.WithCancellation(cancellationToken))
            {
                var partition = TableKeys.Escape(entry.MaDonVi);
                agencies.Add(entry.MaDonVi);
                // An entry and its index rows travel in one transaction, as a save writes them.
                var group = new List<TableTransactionAction>(3)
                {
                    new(TableTransactionActionType.Add, LedgerEntryMapping.ToEntity(partition, entry)),
                };
                if (entry.IsUnsynced)
                    group.Add(new(TableTransactionActionType.Add,
                        LedgerEntryMapping.ToIndexEntity(partition, TableKeys.Unsynced(entry.NgayTiepNhan!.Value, entry.MaHoSo), entry)));
                if (entry.State is SyncState.Pending or SyncState.Retrying)
                    group.Add(new(TableTransactionActionType.Add, LedgerEntryMapping.ToIndexEntity(partition, TableKeys.InRepair(entry.MaHoSo), entry)));

                if (!pending.TryGetValue(partition, out var buffer)) pending[partition] = buffer = new List<TableTransactionAction>(MaxActionsPerTransaction);
                if (buffer.Count + group.Count > MaxActionsPerTransaction)
                {
                    await batches.Writer.WriteAsync((ledger, buffer), cancellationToken);
                    pending[partition] = buffer = new List<TableTransactionAction>(MaxActionsPerTransaction);
                }
                buffer.AddRange(group);
                entryCount++;

                if (entry.ReceivedDay is { } day)
                {
                    var (seen, synced) = days.GetValueOrDefault((entry.MaDonVi, day));
                    days[(entry.MaDonVi, day)] = (seen + 1, synced + (entry.CountsAsSynced ? 1 : 0));
                }
            }
            foreach (var (_, buffer) in pending)
                if (buffer.Count > 0) await batches.Writer.WriteAsync((ledger, buffer), cancellationToken);

            // Day rows: every day with entries or with a received count, as saves and the copied counts leave them.
            var reportedByDay = new Dictionary<(string Agency, DateOnly Day), long>();
            foreach (var count in reported)
            {
                reportedByDay[(count.MaDonVi, count.Ngay)] = reportedByDay.GetValueOrDefault((count.MaDonVi, count.Ngay)) + count.SoHoSoTiepNhan;
                agencies.Add(count.MaDonVi);
            }
            var months = new SortedDictionary<(string Agency, DateOnly Month), (long Received, long Synced)>();
            foreach (var agencyDays in days.Keys.Union(reportedByDay.Keys).GroupBy(k => k.Agency))
            {
                var partition = TableKeys.Escape(agencyDays.Key);
                var rows = new List<TableTransactionAction>();
                foreach (var key in agencyDays.OrderBy(k => k.Day))
                {
                    var (seen, synced) = days.GetValueOrDefault(key);
                    var reportedCount = reportedByDay.GetValueOrDefault(key);
                    if (seen == 0 && synced == 0 && reportedCount == 0) continue;
                    rows.Add(new(TableTransactionActionType.Add, new TableEntity(partition, TableKeys.Day(key.Day))
                    {
                        ["Seen"] = seen, ["Synced"] = synced, ["Reported"] = reportedCount,
                    }));
                    // A month counts max(reported, seen) of each of its days: the indicator's denominator.
                    var month = new DateOnly(key.Day.Year, key.Day.Month, 1);
                    var (received, monthSynced) = months.GetValueOrDefault((key.Agency, month));
                    months[(key.Agency, month)] = (received + Math.Max(reportedCount, seen), monthSynced + synced);
                }
                foreach (var (month, (received, synced)) in months.Where(m => m.Key.Agency == agencyDays.Key).Select(m => (m.Key.Month, m.Value)))
                {
                    if (received == 0 && synced == 0) continue;
                    rows.Add(new(TableTransactionActionType.Add, new TableEntity(partition, TableKeys.Month(month))
                    {
                        ["Received"] = received, ["Synced"] = synced, ["Version"] = 1L,
                    }));
                    monthRows++;
                }
                dayRows += rows.Count(r => r.Entity.RowKey.StartsWith(TableKeys.DayPrefix, StringComparison.Ordinal));
                foreach (var chunk in rows.Chunk(MaxActionsPerTransaction))
                    await batches.Writer.WriteAsync((ledger, chunk.ToList()), cancellationToken);
            }

            // The roll-up copies: one row per agency and year, twelve months side by side.
            foreach (var year in months.Where(m => m.Value.Received != 0 || m.Value.Synced != 0).GroupBy(m => m.Key.Month.Year))
            {
                var rows = new List<TableTransactionAction>();
                foreach (var agency in year.GroupBy(m => m.Key.Agency))
                {
                    var row = new TableEntity(RollupKeys.Partition(year.Key), RollupKeys.Row(agency.Key)) { ["MaDonVi"] = agency.Key };
                    foreach (var (key, (received, synced)) in agency)
                    {
                        row[RollupKeys.Column("Received", key.Month.Month)] = received;
                        row[RollupKeys.Column("Synced", key.Month.Month)] = synced;
                        row[RollupKeys.Column("Version", key.Month.Month)] = 1L;
                    }
                    rows.Add(new(TableTransactionActionType.Add, row));
                }
                rollupRows += rows.Count;
                foreach (var chunk in rows.Chunk(MaxActionsPerTransaction))
                    await batches.Writer.WriteAsync((rollups, chunk.ToList()), cancellationToken);
            }

            // Registered last: an agency is listed once everything of it is written.
            var registry = agencies.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity(PartitionRegistry.Partition, TableKeys.Escape(a)) { ["MaDonVi"] = a })).ToList();
            batches.Writer.Complete();
            await Task.WhenAll(writers);
            if (failure is not null) throw new InvalidOperationException("The ledger could not be loaded", failure);
            foreach (var chunk in registry.Chunk(MaxActionsPerTransaction))
            {
                await state.SubmitTransactionAsync(chunk, cancellationToken);
                transactions++;
            }
        }
        catch (ChannelClosedException)
        {
            await Task.WhenAll(writers);
            throw new InvalidOperationException("The ledger could not be loaded", failure);
        }
        catch
        {
            batches.Writer.TryComplete();
            await Task.WhenAll(writers);
            throw;
        }
        return new LedgerLoadSummary(entryCount, agencies.Count, dayRows, monthRows, rollupRows, transactions);
    }
}
