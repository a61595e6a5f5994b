using Azure;
using Azure.Data.Tables;
using DvcSync.Core.Ledger;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The rows a save derives from entries, as actions of the entry's own transaction: the day counts they contribute to
/// (seen, synced), the month roll-ups (<c>max(reported, seen)</c> and synced, versioned), and the unsynced and in-repair
/// index rows. Count rows are read and replaced under their ETag, so two writers of one agency-day cannot both win.
/// </summary>
internal sealed class LedgerDerivedRows(TableClient table)
{
    public async Task AddDayCountActionsAsync(string partition, IEnumerable<(LedgerEntry? Previous, LedgerEntry Next)> changes,
        List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var deltas = new Dictionary<DateOnly, (long Seen, long Synced)>();
        var confirmed = new Dictionary<DateOnly, DateTimeOffset>();
        void Add(LedgerEntry? entry, int sign)
        {
            if (entry?.ReceivedDay is not { } day) return;
            var (seen, synced) = deltas.GetValueOrDefault(day);
            deltas[day] = (seen + sign, synced + (entry.CountsAsSynced ? sign : 0));
            if (sign > 0 && entry is { CountsAsSynced: true, ConfirmedAt: { } at }) confirmed[day] = Oldest(confirmed.GetValueOrDefault(day, at), at);
        }
        foreach (var (previous, next) in changes)
        {
            Add(previous, -1);
            Add(next, +1);
        }

        var monthDeltas = new Dictionary<DateOnly, (long Received, long Synced)>();
        var monthConfirmed = new Dictionary<DateOnly, DateTimeOffset>();
        foreach (var (day, (seen, synced)) in deltas)
        {
            // A save that changes no count needs no row: a re-confirmation is later than the oldest kept anyway.
            if (seen == 0 && synced == 0) continue;
            var row = await ReadOrNewAsync(partition, TableKeys.Day(day), cancellationToken);
            var reported = row.Entity.GetInt64("Reported") ?? 0;
            var oldSeen = row.Entity.GetInt64("Seen") ?? 0;
            row.Entity["Seen"] = oldSeen + seen;
            row.Entity["Synced"] = (row.Entity.GetInt64("Synced") ?? 0) + synced;
            row.Entity["Reported"] = reported;
            var month = new DateOnly(day.Year, day.Month, 1);
            if (confirmed.TryGetValue(day, out var at))
            {
                KeepOldest(row.Entity, at);
                monthConfirmed[month] = Oldest(monthConfirmed.GetValueOrDefault(month, at), at);
            }
            actions.Add(row.Action());

            var (received, monthSynced) = monthDeltas.GetValueOrDefault(month);
            monthDeltas[month] = (received + Math.Max(reported, oldSeen + seen) - Math.Max(reported, oldSeen), monthSynced + synced);
        }
        await AddMonthActionsAsync(partition, monthDeltas, actions, cancellationToken, monthConfirmed);
    }

    /// <summary>The column of the oldest confirmation behind a day's or a month's synced count (a minimum, never raised).</summary>
    public const string OldestConfirmed = "OldestConfirmed";

    private static DateTimeOffset Oldest(DateTimeOffset a, DateTimeOffset b) => a <= b ? a : b;

    private static void KeepOldest(TableEntity row, DateTimeOffset at)
    {
        if (row.GetDateTimeOffset(OldestConfirmed) is { } kept && kept <= at) return;
        row[OldestConfirmed] = at.ToUniversalTime();
    }

    public async Task AddMonthActionsAsync(string partition, Dictionary<DateOnly, (long Received, long Synced)> monthDeltas,
        List<TableTransactionAction> actions, CancellationToken cancellationToken, Dictionary<DateOnly, DateTimeOffset>? confirmed = null)
    {
        foreach (var (month, (received, synced)) in monthDeltas)
        {
            if (received == 0 && synced == 0) continue;
            var row = await ReadOrNewAsync(partition, TableKeys.Month(month), cancellationToken);
            row.Entity["Received"] = (row.Entity.GetInt64("Received") ?? 0) + received;
            row.Entity["Synced"] = (row.Entity.GetInt64("Synced") ?? 0) + synced;
            if (confirmed is not null && confirmed.TryGetValue(month, out var at)) KeepOldest(row.Entity, at);
            // Orders the copies in the roll-up table: an older copy never overwrites a newer one.
            row.Entity["Version"] = (row.Entity.GetInt64("Version") ?? 0) + 1;
            actions.Add(row.Action());
        }
    }

    /// <summary>The unsynced and in-repair index rows of an entry moved from what <paramref name="previous"/> had to what <paramref name="next"/> has.</summary>
    public static void AddIndexActions(string partition, LedgerEntry? previous, LedgerEntry next, List<TableTransactionAction> actions)
    {
        static string? UnsyncedKey(LedgerEntry? e) => e is { IsUnsynced: true } ? TableKeys.Unsynced(e.NgayTiepNhan!.Value, e.MaHoSo) : null;
        static string? InRepairKey(LedgerEntry? e) => e is { IsInRepair: true } ? TableKeys.InRepair(e.MaHoSo) : null;

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

    /// <summary>The month roll-ups a transaction changes: their copies follow it.</summary>
    public static IEnumerable<string> MonthsTouched(IEnumerable<TableTransactionAction> actions) =>
        actions.Select(a => a.Entity.RowKey).Where(k => k.StartsWith(TableKeys.MonthPrefix, StringComparison.Ordinal));

    /// <summary>A derived row read for a conditional update, or a new one to add: either way part of one transaction.</summary>
    internal sealed record DerivedRow(TableEntity Entity, bool Exists)
    {
        public TableTransactionAction Action() => Exists
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Entity, Entity.ETag)
            : new TableTransactionAction(TableTransactionActionType.Add, Entity);
    }

    internal async Task<DerivedRow> ReadOrNewAsync(string partition, string rowKey, CancellationToken cancellationToken)
    {
        var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
        return current.HasValue ? new DerivedRow(current.Value!, true) : new DerivedRow(new TableEntity(partition, rowKey), false);
    }
}
