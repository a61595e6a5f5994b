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
internal sealed class TableSyncLedger(TableClient table, PartitionRegistry partitions, TableClient rollups) : ISyncLedger
{
    private const int MaxDayCountRetries = 50;

    private static class RollupKeys
    {
        public static string Partition(int year) => "y" + year.ToString(System.Globalization.CultureInfo.InvariantCulture);
        public static string Row(string maDonVi) => TableKeys.Escape(maDonVi);
    }

    public async Task<LedgerEntry?> GetAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(maDonVi), TableKeys.Entry(maHoSo), cancellationToken: cancellationToken);
        return response.HasValue ? LedgerEntryMapping.ToEntry(response.Value!) : null;
    }

    public async Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken)
    {
        EnsureValid(previous, next);
        var partition = TableKeys.Escape(next.MaDonVi);
        if (previous is null) await partitions.EnsureAsync(next.MaDonVi, cancellationToken);

        for (var attempt = 0; ; attempt++)
        {
            var actions = new List<TableTransactionAction>(6) { EntryAction(partition, previous, next) };

            await AddDayCountActionsAsync(partition, [(previous, next)], actions, cancellationToken);
            AddIndexActions(partition, previous, next, actions);

            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken);
                await MirrorMonthsAsync(partition, next.MaDonVi, MonthsTouched(actions), cancellationToken);
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
                await BackOffAsync(attempt, cancellationToken);
            }
        }
    }

    private static void EnsureValid(LedgerEntry? previous, LedgerEntry next)
    {
        if (previous is not null && (previous.MaDonVi != next.MaDonVi || previous.MaHoSo != next.MaHoSo))
            throw new ArgumentException("An entry keeps its MaDonVi and MaHoSo", nameof(next));
        if (previous is not null && previous.ETag is null)
            throw new ArgumentException("The previous entry must come from the store", nameof(previous));
    }

    /// <summary>The entry's own row: added when new, replaced only over the version it was read at.</summary>
    private static TableTransactionAction EntryAction(string partition, LedgerEntry? previous, LedgerEntry next)
    {
        var entity = LedgerEntryMapping.ToEntity(partition, next);
        return previous is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(previous.ETag!));
    }

    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + attempt * 10)), cancellationToken);

    /// <summary>Entries per transaction: each brings up to five actions, and the transaction holds at most 100.</summary>
    private const int MaxEntriesPerTransaction = 16;

    private const int MaxActionsPerTransaction = 100;

    public async Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes) EnsureValid(change.Previous, change.Next);
        var results = new LedgerChangeResult?[changes.Count];
        var byAgency = Enumerable.Range(0, changes.Count).GroupBy(i => changes[i].Next.MaDonVi, StringComparer.Ordinal);
        await Task.WhenAll(byAgency.Select(group => SaveAgencyAsync(group.Key, group.ToList(), changes, results, cancellationToken)));
        return results.Select(r => r!).ToList();
    }

    private async Task SaveAgencyAsync(string maDonVi, List<int> indexes, IReadOnlyList<LedgerChange> changes, LedgerChangeResult?[] results, CancellationToken cancellationToken)
    {
        if (indexes.Any(i => changes[i].Previous is null)) await partitions.EnsureAsync(maDonVi, cancellationToken);

        // A transaction may name an entity once: a second change of one dossier waits for the first, and then
        // conflicts (its Previous is gone), which is what the caller must hear.
        var first = new List<int>();
        var repeats = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in indexes) (seen.Add(changes[i].Next.MaHoSo) ? first : repeats).Add(i);

        foreach (var chunk in first.Chunk(MaxEntriesPerTransaction))
            await SaveTogetherAsync(TableKeys.Escape(maDonVi), maDonVi, chunk.ToList(), changes, results, cancellationToken);
        foreach (var i in repeats) results[i] = await this.TrySaveAsync(changes[i], cancellationToken);
    }

    /// <summary>
    /// One transaction for several entries of a partition, their counts merged. An entry that moved on is dropped
    /// and the rest tried again; when the store does not say which action failed, each entry is saved on its own.
    /// </summary>
    private async Task SaveTogetherAsync(string partition, string maDonVi, List<int> chunk, IReadOnlyList<LedgerChange> changes,
        LedgerChangeResult?[] results, CancellationToken cancellationToken)
    {
        for (var attempt = 0; chunk.Count > 0; attempt++)
        {
            var actions = new List<TableTransactionAction>(chunk.Count * 3 + 4);
            actions.AddRange(chunk.Select(i => EntryAction(partition, changes[i].Previous, changes[i].Next)));
            foreach (var i in chunk) AddIndexActions(partition, changes[i].Previous, changes[i].Next, actions);
            await AddDayCountActionsAsync(partition, chunk.Select(i => (changes[i].Previous, changes[i].Next)), actions, cancellationToken);

            if (actions.Count > MaxActionsPerTransaction)
            {
                var half = chunk.Count / 2;
                await SaveTogetherAsync(partition, maDonVi, chunk[..half], changes, results, cancellationToken);
                await SaveTogetherAsync(partition, maDonVi, chunk[half..], changes, results, cancellationToken);
                return;
            }

            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken);
                for (var k = 0; k < chunk.Count; k++)
                    results[chunk[k]] = new LedgerChangeResult(changes[chunk[k]], changes[chunk[k]].Next with { ETag = response.Value[k].Headers.ETag?.ToString() });
                await MirrorMonthsAsync(partition, maDonVi, MonthsTouched(actions), cancellationToken);
                return;
            }
            catch (TableTransactionFailedException failure) when (failure.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                if (failure.FailedTransactionActionIndex is int failed && failed < chunk.Count)
                {
                    // That entry moved on; the others go again without it.
                    results[chunk[failed]] = new LedgerChangeResult(changes[chunk[failed]], null);
                    chunk.RemoveAt(failed);
                }
                else if (failure.FailedTransactionActionIndex is null || attempt >= MaxDayCountRetries)
                {
                    foreach (var i in chunk) results[i] = await this.TrySaveAsync(changes[i], cancellationToken);
                    return;
                }
                else
                {
                    // A count row changed under us (another writer of this agency): read the counts again.
                    await BackOffAsync(attempt, cancellationToken);
                }
            }
        }
    }

    private async Task AddDayCountActionsAsync(string partition, IEnumerable<(LedgerEntry? Previous, LedgerEntry Next)> changes, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var deltas = new Dictionary<DateOnly, (long Seen, long Synced)>();
        void Add(LedgerEntry? entry, int sign)
        {
            if (entry?.ReceivedDay is not { } day) return;
            var (seen, synced) = deltas.GetValueOrDefault(day);
            deltas[day] = (seen + sign, synced + (entry.CountsAsSynced ? sign : 0));
        }
        foreach (var (previous, next) in changes)
        {
            Add(previous, -1);
            Add(next, +1);
        }

        var monthDeltas = new Dictionary<DateOnly, (long Received, long Synced)>();
        foreach (var (day, (seen, synced)) in deltas)
        {
            if (seen == 0 && synced == 0) continue;
            var row = await ReadOrNewAsync(partition, TableKeys.Day(day), cancellationToken);
            var reported = row.Entity.GetInt64("Reported") ?? 0;
            var oldSeen = row.Entity.GetInt64("Seen") ?? 0;
            row.Entity["Seen"] = oldSeen + seen;
            row.Entity["Synced"] = (row.Entity.GetInt64("Synced") ?? 0) + synced;
            row.Entity["Reported"] = reported;
            actions.Add(row.Action());

            var month = new DateOnly(day.Year, day.Month, 1);
            var (received, monthSynced) = monthDeltas.GetValueOrDefault(month);
            monthDeltas[month] = (received + Math.Max(reported, oldSeen + seen) - Math.Max(reported, oldSeen), monthSynced + synced);
        }
        await AddMonthActionsAsync(partition, monthDeltas, actions, cancellationToken);
    }

    private async Task AddMonthActionsAsync(string partition, Dictionary<DateOnly, (long Received, long Synced)> monthDeltas, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        foreach (var (month, (received, synced)) in monthDeltas)
        {
            if (received == 0 && synced == 0) continue;
            var row = await ReadOrNewAsync(partition, TableKeys.Month(month), cancellationToken);
            row.Entity["Received"] = (row.Entity.GetInt64("Received") ?? 0) + received;
            row.Entity["Synced"] = (row.Entity.GetInt64("Synced") ?? 0) + synced;
            // Orders the copies in the roll-up table: an older copy never overwrites a newer one.
            row.Entity["Version"] = (row.Entity.GetInt64("Version") ?? 0) + 1;
            actions.Add(row.Action());
        }
    }

    /// <summary>A derived row read for a conditional update, or a new one to add: either way part of one transaction.</summary>
    private sealed record DerivedRow(TableEntity Entity, bool Exists)
    {
        public TableTransactionAction Action() => Exists
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity, Entity.ETag)
            : new TableTransactionAction(TableTransactionActionType.Add, Entity);
    }

    private async Task<DerivedRow> ReadOrNewAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
        return current.HasValue ? new DerivedRow(current.Value!, true) : new DerivedRow(new TableEntity(partition, rowKey), false);
    }

    public async Task RecordReportedCountsAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken)
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
            await AddMonthActionsAsync(partition, new() { [month] = (receivedDelta, 0) }, actions, cancellationToken);

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                await MirrorMonthsAsync(partition, agency, MonthsTouched(actions), cancellationToken);
                return;
            }
            catch (TableTransactionFailedException failure) when (attempt < MaxDayCountRetries
                && failure.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                // A dossier of this agency changed a count meanwhile: read the month again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + attempt * 10)), cancellationToken);
            }
        }
    }

    private static IEnumerable<string> MonthsTouched(IEnumerable<TableTransactionAction> actions) =>
        actions.Select(a => a.Entity.RowKey).Where(k => k.StartsWith(TableKeys.MonthPrefix, StringComparison.Ordinal));

    /// <summary>
    /// Copies month roll-ups into the small roll-up table, partitioned by year, where a province-wide year is one
    /// query. The ledger partition stays the truth; a copy lost to a crash is redone by the reconciliation's sweep.
    /// </summary>
    private async Task MirrorMonthsAsync(string partition, string maDonVi, IEnumerable<string> monthKeys, CancellationToken cancellationToken)
    {
        foreach (var monthKey in monthKeys.Distinct())
        {
            var source = await table.GetEntityIfExistsAsync<TableEntity>(partition, monthKey, cancellationToken: cancellationToken);
            if (source.HasValue) await MirrorMonthAsync(maDonVi, source.Value!, cancellationToken);
        }
    }

    private async Task MirrorMonthAsync(string maDonVi, TableEntity month, CancellationToken cancellationToken)
    {
        var day = TableKeys.ParseMonth(month.RowKey);
        var version = month.GetInt64("Version") ?? 0;
        var mm = day.ToString("MM", System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < MaxDayCountRetries; attempt++)
        {
            // One row per agency and year, twelve months side by side: a province-wide year is about 130 small rows.
            var current = await rollups.GetEntityIfExistsAsync<TableEntity>(RollupKeys.Partition(day.Year), RollupKeys.Row(maDonVi), cancellationToken: cancellationToken);
            var row = current.HasValue ? current.Value! : new TableEntity(RollupKeys.Partition(day.Year), RollupKeys.Row(maDonVi)) { ["MaDonVi"] = maDonVi };
            if ((row.GetInt64("Version" + mm) ?? 0) >= version) return;
            row["Received" + mm] = month.GetInt64("Received") ?? 0;
            row["Synced" + mm] = month.GetInt64("Synced") ?? 0;
            row["Version" + mm] = version;
            try
            {
                if (current.HasValue) await rollups.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                else await rollups.AddEntityAsync(row, cancellationToken);
                return;
            }
            catch (Azure.RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                // Another writer copied a month of this agency meanwhile; read the row again.
            }
        }
    }

    public async Task RepairRollupCopiesAsync(CancellationToken cancellationToken)
    {
        await foreach (var agency in partitions.ListAsync(cancellationToken))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {TableKeys.MonthPrefix} and RowKey lt {TableKeys.After(TableKeys.MonthPrefix)}");
            await foreach (var month in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
                await MirrorMonthAsync(agency, month, cancellationToken);
        }
    }

    public async Task<(IReadOnlyList<LedgerMonthCount> Months, IReadOnlyList<LedgerDayCount> Days)> GetPeriodCountsAsync(
        IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        // Whole months come from their roll-ups; the partial months at either end from their days.
        var firstWhole = from.Day == 1 ? from : new DateOnly(from.Year, from.Month, 1).AddMonths(1);
        var afterLastWhole = new DateOnly(to.Year, to.Month, 1);
        if (to == afterLastWhole.AddMonths(1).AddDays(-1)) afterLastWhole = afterLastWhole.AddMonths(1);
        if (firstWhole >= afterLastWhole)
            return ([], await GetDayCountsAsync(agencies, from, to, cancellationToken));

        // Whole months: one query per year on the roll-up table, whatever the number of agencies.
        var wanted = agencies.ToHashSet(StringComparer.Ordinal);
        var years = Enumerable.Range(firstWhole.Year, afterLastWhole.AddDays(-1).Year - firstWhole.Year + 1);
        var monthsPerYear = await Task.WhenAll(years.Select(async year =>
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
                    var mm = m.ToString("00", System.Globalization.CultureInfo.InvariantCulture);
                    if (row.GetInt64("Version" + mm) is null) continue;
                    found.Add(new LedgerMonthCount(agency, month, row.GetInt64("Received" + mm) ?? 0, row.GetInt64("Synced" + mm) ?? 0));
                }
            }
            return found;
        }));

        // The partial months at either end: their days, from each agency's partition.
        var edgeDays = await Task.WhenAll(agencies.Select(async agency =>
        {
            var agencyDays = new List<LedgerDayCount>();
            if (from < firstWhole) agencyDays.AddRange(await DayRowsAsync(agency, from, firstWhole.AddDays(-1), cancellationToken));
            if (afterLastWhole <= to) agencyDays.AddRange(await DayRowsAsync(agency, afterLastWhole, to, cancellationToken));
            return agencyDays;
        }));
        return (monthsPerYear.SelectMany(m => m).ToList(), edgeDays.SelectMany(d => d).ToList());
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
        var perAgency = await Task.WhenAll(agencies.Select(agency => DayRowsAsync(agency, from, to, cancellationToken)));
        return perAgency.SelectMany(c => c).ToList();
    }

    private async Task<List<LedgerDayCount>> DayRowsAsync(string agency, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var counts = new List<LedgerDayCount>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Escape(agency)} and RowKey ge {TableKeys.Day(from)} and RowKey le {TableKeys.Day(to)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Seen", "Synced", "Reported"], cancellationToken: cancellationToken))
            counts.Add(new LedgerDayCount(agency, TableKeys.ParseDay(row.RowKey), row.GetInt64("Seen") ?? 0, row.GetInt64("Synced") ?? 0, row.GetInt64("Reported") ?? 0));
        return counts;
    }

    /// <summary>
    /// Agency partitions one unsynced page reads at a time. A province has over a hundred agencies: all at once would
    /// open that many queries, each holding a page of rows, for one dashboard request.
    /// </summary>
    internal const int UnsyncedQueriesAtOnce = 4;

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
