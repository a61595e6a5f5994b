using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The ledger on Azure Table Storage. Every save is one entity-group transaction in the agency's partition that
/// replaces the entry (conditional on its ETag) and adjusts the rows derived from it: the day count it contributes
/// to, the unsynced index and the in-repair index. A crash can therefore never leave a count that disagrees with
/// the entries, and two writers of one entry cannot both win.
/// </summary>
internal sealed class TableSyncLedger(TableClient table, PartitionRegistry partitions) : ISyncLedger
{
    private const int MaxDayCountRetries = 50;

    public async Task<LedgerEntry?> GetAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(maDonVi), TableKeys.Entry(maHoSo), cancellationToken: cancellationToken);
        return response.HasValue ? LedgerEntryMapping.ToEntry(response.Value!) : null;
    }

    public async Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken)
    {
        if (previous is not null && (previous.MaDonVi != next.MaDonVi || previous.MaHoSo != next.MaHoSo))
            throw new ArgumentException("An entry keeps its MaDonVi and MaHoSo", nameof(next));
        if (previous is not null && previous.ETag is null)
            throw new ArgumentException("The previous entry must come from the store", nameof(previous));

        var partition = TableKeys.Escape(next.MaDonVi);
        if (previous is null) await partitions.EnsureAsync(next.MaDonVi, cancellationToken);

        for (var attempt = 0; ; attempt++)
        {
            var actions = new List<TableTransactionAction>(6);
            var entity = LedgerEntryMapping.ToEntity(partition, next);
            actions.Add(previous is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(previous.ETag!)));

            await AddDayCountActionsAsync(partition, previous, next, actions, cancellationToken);
            AddIndexActions(partition, previous, next, actions);

            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken);
                return next with { ETag = response.Value[0].Headers.ETag?.ToString() };
            }
            catch (TableTransactionFailedException failure) when (failure.FailedTransactionActionIndex is 0 or null
                && failure.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                // The entry itself moved on (or was created by someone else): the caller must decide again.
                throw new LedgerConflictException(next.MaHoSo);
            }
            catch (TableTransactionFailedException failure) when (attempt < MaxDayCountRetries
                && failure.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                // Another dossier of the same agency-day changed its count first: read the count again and retry.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + attempt * 10)), cancellationToken);
            }
        }
    }

    private async Task AddDayCountActionsAsync(string partition, LedgerEntry? previous, LedgerEntry next, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var deltas = new Dictionary<DateOnly, (long Seen, long Synced)>();
        void Add(LedgerEntry? entry, int sign)
        {
            if (entry?.ReceivedDay is not { } day) return;
            var (seen, synced) = deltas.GetValueOrDefault(day);
            deltas[day] = (seen + sign, synced + (entry.CountsAsSynced ? sign : 0));
        }
        Add(previous, -1);
        Add(next, +1);

        foreach (var (day, (seen, synced)) in deltas)
        {
            if (seen == 0 && synced == 0) continue;
            var rowKey = TableKeys.Day(day);
            var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
            if (current.HasValue)
            {
                var row = current.Value!;
                row["Seen"] = (row.GetInt64("Seen") ?? 0) + seen;
                row["Synced"] = (row.GetInt64("Synced") ?? 0) + synced;
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, row.ETag));
            }
            else
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(partition, rowKey) { ["Seen"] = seen, ["Synced"] = synced }));
            }
        }
    }

    private static void AddIndexActions(string partition, LedgerEntry? previous, LedgerEntry next, List<TableTransactionAction> actions)
    {
        static string? UnsyncedKey(LedgerEntry? e) => e is { IsUnsynced: true } ? TableKeys.Unsynced(e.NgayTiepNhan!.Value, e.MaHoSo) : null;
        static string? InRepairKey(LedgerEntry? e) => e is { State: SyncState.Pending or SyncState.Retrying } ? TableKeys.InRepair(e.MaHoSo) : null;

        Reindex(UnsyncedKey(previous), UnsyncedKey(next));
        Reindex(InRepairKey(previous), InRepairKey(next));

        void Reindex(string? oldKey, string? newKey)
        {
            if (oldKey is not null && oldKey != newKey)
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, oldKey), ETag.All));
            if (newKey is not null)
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, LedgerEntryMapping.ToIndexEntity(partition, newKey, next)));
        }
    }

    public async Task<IReadOnlyList<LedgerDayCount>> GetDayCountsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var low = TableKeys.Day(from);
        var high = TableKeys.Day(to);
        var perAgency = await Task.WhenAll(agencies.Select(async agency =>
        {
            var counts = new List<LedgerDayCount>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {low} and RowKey le {high}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Seen", "Synced"], cancellationToken: cancellationToken))
                counts.Add(new LedgerDayCount(agency, TableKeys.ParseDay(row.RowKey), row.GetInt64("Seen") ?? 0, row.GetInt64("Synced") ?? 0));
            return counts;
        }));
        return perAgency.SelectMany(c => c).ToList();
    }

    public async Task<IReadOnlyList<LedgerEntry>> GetUnsyncedAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        UnsyncedPosition? after, int limit, CancellationToken cancellationToken)
    {
        var low = TableKeys.UnsyncedPrefix + Core.Dossiers.VnTime.Format(Core.Dossiers.VnTime.StartOfDay(from));
        var high = TableKeys.UnsyncedPrefix + Core.Dossiers.VnTime.Format(Core.Dossiers.VnTime.StartOfDay(to.AddDays(1)));
        var afterKey = after is null ? null : TableKeys.Unsynced(after.NgayTiepNhan, after.MaHoSo);
        var start = afterKey is not null && string.CompareOrdinal(afterKey, low) >= 0 ? afterKey : null;

        // Each agency's index is already in (NgayTiepNhan, MaHoSo) order; take the first `limit` of each and merge.
        var perAgency = await Task.WhenAll(agencies.Select(async agency =>
        {
            var lowerBound = start is null ? $"RowKey ge '{low}'" : $"RowKey gt '{Quote(start)}'";
            var filter = $"PartitionKey eq '{Quote(TableKeys.Escape(agency))}' and {lowerBound} and RowKey lt '{high}'";
            var rows = new List<(string Key, LedgerEntry Entry)>();
            await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: limit, cancellationToken: cancellationToken))
            {
                rows.Add((row.RowKey, LedgerEntryMapping.ToEntry(row)));
                if (rows.Count >= limit) break;
            }
            return rows;
        }));
        return perAgency.SelectMany(r => r).OrderBy(r => r.Key, StringComparer.Ordinal).Take(limit).Select(r => r.Entry).ToList();
    }

    public async IAsyncEnumerable<LedgerEntry> GetInRepairAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var agency in partitions.ListAsync(cancellationToken))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {TableKeys.InRepairPrefix} and RowKey lt {TableKeys.After(TableKeys.InRepairPrefix)}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                yield return LedgerEntryMapping.ToEntry(row);
        }
    }

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
