using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>The ledger's two indexes read: the unsynced entries of a period, and the entries in the repair's hands.</summary>
internal sealed class LedgerIndexQuery(TableClient table, PartitionRegistry partitions)
{
    /// <summary>
    /// Agency partitions one unsynced page reads at a time. A province has over a hundred agencies: all at once would
    /// open that many queries, each holding a page of rows, for one dashboard request.
    /// </summary>
    public const int UnsyncedQueriesAtOnce = 4;

    public async Task<IReadOnlyList<LedgerEntry>> GetUnsyncedAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        UnsyncedPosition? after, int limit, CancellationToken cancellationToken)
    {
        var low = TableKeys.UnsyncedPrefix + Core.Dossiers.VnTime.Format(Core.Dossiers.VnTime.StartOfDay(from));
        var high = TableKeys.UnsyncedPrefix + Core.Dossiers.VnTime.Format(Core.Dossiers.VnTime.StartOfDay(to.AddDays(1)));
        var afterKey = after is null ? null : TableKeys.Unsynced(after.NgayTiepNhan, after.MaHoSo);
        var start = afterKey is not null && string.CompareOrdinal(afterKey, low) >= 0 ? afterKey : null;

        // Each agency's index is already in (NgayTiepNhan, MaHoSo) order: its rows are merged as they come into the
        // first `limit` of all, and once its next row would not be among them, neither would any after it.
        var first = new FirstRows(limit);
        var options = new ParallelOptions { MaxDegreeOfParallelism = UnsyncedQueriesAtOnce, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(agencies, options, async (agency, token) =>
        {
            var lowerBound = start is null ? $"RowKey ge '{low}'" : $"RowKey gt '{Quote(start)}'";
            var filter = $"PartitionKey eq '{Quote(TableKeys.Escape(agency))}' and {lowerBound} and RowKey lt '{high}'";
            await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Clamp(limit, 1, 1000), cancellationToken: token))
                if (!first.TryAdd(row)) break;
        });
        return first.InOrder().Select(LedgerEntryMapping.ToEntry).ToList();
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

    /// <summary>The rows of the smallest keys offered so far, at most <paramref name="capacity"/>, from many threads.</summary>
    private sealed class FirstRows(int capacity)
    {
        private readonly PriorityQueue<TableEntity, string> _largestFirst = new(Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a)));

        /// <returns>False when the row is not among the first: it is not kept.</returns>
        public bool TryAdd(TableEntity row)
        {
            lock (_largestFirst)
            {
                if (_largestFirst.Count < capacity)
                {
                    _largestFirst.Enqueue(row, row.RowKey);
                    return true;
                }
                if (!_largestFirst.TryPeek(out _, out var largest) || string.CompareOrdinal(row.RowKey, largest) >= 0) return false;
                _largestFirst.EnqueueDequeue(row, row.RowKey);
                return true;
            }
        }

        public IEnumerable<TableEntity> InOrder()
        {
            lock (_largestFirst) return _largestFirst.UnorderedItems.OrderBy(i => i.Priority, StringComparer.Ordinal).Select(i => i.Element).ToList();
        }
    }
}
