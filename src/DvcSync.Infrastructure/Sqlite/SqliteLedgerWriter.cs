using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using static DvcSync.Infrastructure.Sqlite.SqliteStore;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// Saves entries as the table ledger does, in one transaction per batch: each entry is inserted (if new) or replaced
/// over the version it was read at, and the day counts and month roll-ups it contributes to are adjusted in the same
/// transaction (the 1.4 counts here, the scorecard counters in <see cref="SqliteScoreCounters"/>), so the counts equal a
/// recount whatever crashes. An entry that moved on is reported, and the others
/// are saved. The indexes (unsynced, in repair) are columns of the entry with partial indexes over them.
/// <para>
/// A dossier counts once, for its latest agency (provincial-system.md, Agencies): an entry's first save (or the return of
/// a moved one) retires, in the same transaction, the entry of any other agency that still speaks for the dossier
/// (<see cref="LedgerEntry.MovedAway"/>), found by the index on <c>ma_ho_so</c>; the move is all or nothing.
/// </para>
/// </summary>
internal sealed class SqliteLedgerWriter(SqliteStore store)
{
    private const string Columns = """
        ma_don_vi, ma_ho_so, ngay_tiep_nhan, trang_thai_ho_so, phien_ban, state, portal_holds, attempts, last_error,
        next_attempt_at, failing_since, confirmed_at, updated_at, unsynced, in_repair, version,
        portal_copy_lacks_reception_date, source_facts, portal_facts, moved_to, changed_at, steps_sent_up_to
        """;

    private const string Values = """
        $ma_don_vi, $ma_ho_so, $ngay_tiep_nhan, $trang_thai_ho_so, $phien_ban, $state, $portal_holds, $attempts, $last_error,
        $next_attempt_at, $failing_since, $confirmed_at, $updated_at, $unsynced, $in_repair, $version,
        $portal_copy_lacks_reception_date, $source_facts, $portal_facts, $moved_to, $changed_at, $steps_sent_up_to
        """;

    private const string Insert = $"INSERT INTO ledger_entry ({Columns}) VALUES ({Values}) ON CONFLICT DO NOTHING";

    private const string Replace = $"UPDATE ledger_entry SET ({Columns}) = ({Values}) WHERE ma_don_vi = $ma_don_vi AND ma_ho_so = $ma_ho_so AND version = $previous_version";

    // Portal messages can be long; a ledger row is not the place for a whole HTML error page.
    private const int MaxErrorLength = 1000;

    public async Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken)
    {
        var result = (await SaveManyAsync([new LedgerChange(previous, next)], cancellationToken))[0];
        return result.Saved ?? throw new LedgerConflictException(next.MaHoSo);
    }

    public Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> changes, CancellationToken cancellationToken)
    {
        foreach (var change in changes) LedgerEntryWriter.EnsureValid(change.Previous, change.Next);
        return store.WriteAsync<IReadOnlyList<LedgerChangeResult>>((connection, transaction) =>
        {
            var results = new List<LedgerChangeResult>(changes.Count);
            var counted = new List<(LedgerEntry? Previous, LedgerEntry Next)>();
            foreach (var change in changes)
            {
                var arriving = LedgerEntryWriter.IsArrival(change.Previous, change.Next);
                var others = arriving ? OthersSpeakingFor(connection, transaction, change.Next) : [];
                // An entry elsewhere at a newer version (an old page, a late message): the dossier is there, not here.
                var newer = others.Where(o => o.PhienBan > change.Next.PhienBan).MaxBy(o => o.PhienBan);
                var next = newer is null ? change.Next : change.Next.MovedAway(newer.MaDonVi, newer.PhienBan, change.Next.UpdatedAt);
                var saved = TrySave(connection, transaction, change.Previous, next);
                results.Add(new LedgerChangeResult(change, saved));
                if (saved is null) continue;
                counted.Add((change.Previous, saved));
                if (newer is not null) continue;
                foreach (var other in others)
                    if (TrySave(connection, transaction, other, other.MovedAway(next.MaDonVi, next.PhienBan, next.UpdatedAt)) is { } retired)
                        counted.Add((other, retired));
            }
            AdjustCounts(connection, transaction, counted);
            SqliteScoreCounters.Adjust(connection, transaction, counted);
            return results;
        }, cancellationToken);
    }

    /// <summary>
    /// Stores the reported received counts for the days of the period (zero for a day the report no longer lists) and
    /// recomputes the months they fall in, in one transaction.
    /// </summary>
    public Task RecordReportedCountsAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
        {
            var (low, high) = (SqliteSchema.Day(from), SqliteSchema.Day(to));
            Execute(connection, transaction, "UPDATE ledger_day SET reported = 0 WHERE day BETWEEN $low AND $high AND reported <> 0", ("$low", low), ("$high", high));
            foreach (var day in counts.Where(c => c.Ngay >= from && c.Ngay <= to).GroupBy(c => (c.MaDonVi, c.Ngay)))
                Execute(connection, transaction, """
                    INSERT INTO ledger_day (ma_don_vi, day, seen, synced, reported) VALUES ($a, $d, 0, 0, $r)
                    ON CONFLICT (ma_don_vi, day) DO UPDATE SET reported = excluded.reported
                    """, ("$a", day.Key.MaDonVi), ("$d", SqliteSchema.Day(day.Key.Ngay)), ("$r", day.Sum(c => c.SoHoSoTiepNhan)));
            Execute(connection, transaction, $"""
                INSERT INTO ledger_month (ma_don_vi, month, received, synced, oldest_confirmed)
                SELECT ma_don_vi, day / 100, SUM(MAX(reported, seen)), SUM(synced), MIN(oldest_confirmed) FROM ledger_day
                WHERE day BETWEEN $low AND $high GROUP BY ma_don_vi, day / 100
                {OnMonthConflict}
                """, ("$low", SqliteSchema.Month(from) * 100 + 1), ("$high", SqliteSchema.Month(to) * 100 + 31));
        }, cancellationToken);

    /// <summary>The entries of other agencies that still count for <paramref name="next"/>'s dossier.</summary>
    private static List<LedgerEntry> OthersSpeakingFor(SqliteConnection connection, SqliteTransaction transaction, LedgerEntry next)
    {
        using var command = SqliteStore.Command(connection, transaction, $"""
            SELECT {SqliteSyncLedger.EntryColumns} FROM ledger_entry WHERE ma_ho_so = $h AND ma_don_vi <> $a AND moved_to IS NULL
            """, ("$h", next.MaHoSo), ("$a", next.MaDonVi));
        return SqliteSyncLedger.ReadEntries(command);
    }

    private const string OnMonthConflict =
        "ON CONFLICT (month, ma_don_vi) DO UPDATE SET received = excluded.received, synced = excluded.synced, oldest_confirmed = excluded.oldest_confirmed";

    /// <returns>The saved entry with its new version; null when the stored entry is no longer <paramref name="previous"/>.</returns>
    private static LedgerEntry? TrySave(SqliteConnection connection, SqliteTransaction transaction, LedgerEntry? previous, LedgerEntry next)
    {
        var version = previous is null ? 1 : SqliteSchema.Version(previous.ETag) + 1;
        using var command = SqliteStore.Command(connection, transaction, previous is null ? Insert : Replace,
            ("$ma_don_vi", next.MaDonVi),
            ("$ma_ho_so", next.MaHoSo),
            ("$ngay_tiep_nhan", SqliteSchema.Instant(next.NgayTiepNhan?.ToOffset(VnTime.Offset))),
            ("$trang_thai_ho_so", next.TrangThaiHoSo),
            ("$phien_ban", next.PhienBan),
            ("$state", next.State.ToWire()),
            ("$portal_holds", next.PortalHolds),
            ("$attempts", next.Attempts),
            ("$last_error", next.LastError is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : next.LastError),
            ("$next_attempt_at", SqliteSchema.Instant(next.NextAttemptAt)),
            ("$failing_since", SqliteSchema.Instant(next.FailingSince)),
            ("$confirmed_at", SqliteSchema.Instant(next.ConfirmedAt)),
            ("$updated_at", SqliteSchema.Instant(next.UpdatedAt)),
            ("$unsynced", next.IsUnsynced),
            ("$in_repair", next.IsInRepair),
            ("$version", version),
            ("$portal_copy_lacks_reception_date", next.PortalCopyLacksReceptionDate),
            ("$source_facts", next.SourceFacts?.ToCompact()),
            ("$portal_facts", next.PortalFacts?.ToCompact()),
            ("$moved_to", next.MovedTo),
            ("$changed_at", SqliteSchema.Instant(next.ChangedAt)),
            ("$steps_sent_up_to", SqliteSchema.Instant(next.StepsSentUpTo)),
            ("$previous_version", version - 1));
        return command.ExecuteNonQuery() == 1 ? next with { ETag = SqliteSchema.ETag(version) } : null;
    }

    /// <summary>Moves the saved entries' contributions from their previous day to their next, then recomputes the months touched.</summary>
    private static void AdjustCounts(SqliteConnection connection, SqliteTransaction transaction, List<(LedgerEntry? Previous, LedgerEntry Next)> saved)
    {
        var deltas = new Dictionary<(string Agency, DateOnly Day), (long Seen, long Synced)>();
        var confirmed = new Dictionary<(string Agency, DateOnly Day), long>();
        void Add(LedgerEntry? entry, int sign)
        {
            if (entry?.ReceivedDay is not { } day) return;
            var (seen, synced) = deltas.GetValueOrDefault((entry.MaDonVi, day));
            deltas[(entry.MaDonVi, day)] = (seen + sign, synced + (entry.CountsAsSynced ? sign : 0));
            if (sign > 0 && entry is { CountsAsSynced: true, ConfirmedAt: { } at })
                confirmed[(entry.MaDonVi, day)] = Math.Min(confirmed.GetValueOrDefault((entry.MaDonVi, day), long.MaxValue), at.ToUnixTimeMilliseconds());
        }
        foreach (var (previous, next) in saved)
        {
            Add(previous, -1);
            Add(next, +1);
        }

        var months = new HashSet<(string Agency, int Month)>();
        foreach (var ((agency, day), (seen, synced)) in deltas)
        {
            if (seen == 0 && synced == 0) continue;
            // The oldest confirmation is a minimum, never raised: a re-confirmation is later than the one kept anyway.
            Execute(connection, transaction, """
                INSERT INTO ledger_day (ma_don_vi, day, seen, synced, reported, oldest_confirmed) VALUES ($a, $d, $seen, $synced, 0, $oldest)
                ON CONFLICT (ma_don_vi, day) DO UPDATE SET seen = seen + excluded.seen, synced = synced + excluded.synced,
                    oldest_confirmed = COALESCE(MIN(oldest_confirmed, excluded.oldest_confirmed), oldest_confirmed, excluded.oldest_confirmed)
                """, ("$a", agency), ("$d", SqliteSchema.Day(day)), ("$seen", seen), ("$synced", synced),
                ("$oldest", confirmed.TryGetValue((agency, day), out var oldest) ? oldest : null));
            months.Add((agency, SqliteSchema.Month(day)));
        }
        // A month is the sum of its days (at most 31 rows), recomputed rather than adjusted: it cannot drift from them.
        foreach (var (agency, month) in months)
            Execute(connection, transaction, $"""
                INSERT INTO ledger_month (ma_don_vi, month, received, synced, oldest_confirmed)
                SELECT $a, $m, COALESCE(SUM(MAX(reported, seen)), 0), COALESCE(SUM(synced), 0), MIN(oldest_confirmed) FROM ledger_day
                WHERE ma_don_vi = $a AND day BETWEEN $m * 100 + 1 AND $m * 100 + 31
                {OnMonthConflict}
                """, ("$a", agency), ("$m", month));
    }
}
