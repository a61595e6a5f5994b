using System.Runtime.CompilerServices;
using System.Text.Json;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using Microsoft.Data.Sqlite;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// The ledger in the embedded store: the writer (<see cref="SqliteLedgerWriter"/>) and the queries. The month
/// roll-ups live in the same file and change in the same transaction as the entries: there are no copies to repair.
/// </summary>
internal sealed class SqliteSyncLedger(SqliteStore store) : ISyncLedger
{
    internal const string EntryColumns = """
        ma_don_vi, ma_ho_so, ngay_tiep_nhan, trang_thai_ho_so, phien_ban, state, portal_holds, attempts, last_error,
        next_attempt_at, failing_since, confirmed_at, updated_at, version, portal_copy_lacks_reception_date, source_facts, portal_facts, moved_to,
        changed_at, steps_sent_up_to
        """;

    private readonly SqliteLedgerWriter _writer = new(store);
    private readonly SqliteScoreCounters _scores = new(store);

    public Task<LedgerEntry?> GetAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken) =>
        store.ReadAsync(connection =>
        {
            using var command = SqliteStore.Command(connection, null, $"SELECT {EntryColumns} FROM ledger_entry WHERE ma_don_vi = $a AND ma_ho_so = $h",
                ("$a", maDonVi), ("$h", maHoSo));
            using var reader = command.ExecuteReader();
            return reader.Read() ? ReadEntry(reader) : null;
        }, cancellationToken);

    public Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken) =>
        _writer.SaveAsync(previous, next, cancellationToken);

    public Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> changes, CancellationToken cancellationToken) =>
        _writer.SaveManyAsync(changes, cancellationToken);

    public Task RecordReportedCountsAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        _writer.RecordReportedCountsAsync(counts, from, to, cancellationToken);

    public Task RepairRollupCopiesAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<(IReadOnlyList<LedgerMonthCount> Months, IReadOnlyList<LedgerDayCount> Days)> GetPeriodCountsAsync(IReadOnlyCollection<string> agencies,
        DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        store.ReadAsync<(IReadOnlyList<LedgerMonthCount>, IReadOnlyList<LedgerDayCount>)>(connection =>
        {
            var (firstWhole, afterLastWhole) = LedgerPeriodQuery.WholeMonths(from, to);
            if (firstWhole >= afterLastWhole) return ([], DayCounts(connection, agencies, from, to));

            var months = new List<LedgerMonthCount>();
            using (var command = SqliteStore.Command(connection, null, """
                SELECT ma_don_vi, month, received, synced FROM ledger_month
                WHERE month >= $first AND month < $after AND ma_don_vi IN (SELECT value FROM json_each($agencies))
                """, ("$first", SqliteSchema.Month(firstWhole)), ("$after", SqliteSchema.Month(afterLastWhole)), ("$agencies", Json(agencies))))
            using (var reader = command.ExecuteReader())
                while (reader.Read())
                    months.Add(new LedgerMonthCount(reader.GetString(0), SqliteSchema.ReadMonth(reader.GetInt64(1)), reader.GetInt64(2), reader.GetInt64(3)));

            var days = new List<LedgerDayCount>();
            if (from < firstWhole) days.AddRange(DayCounts(connection, agencies, from, firstWhole.AddDays(-1)));
            if (afterLastWhole <= to) days.AddRange(DayCounts(connection, agencies, afterLastWhole, to));
            return (months, days);
        }, cancellationToken);

    public Task<IReadOnlyDictionary<string, ScoreTotals>> GetScoreTotalsAsync(IReadOnlyCollection<string> agencies, ScorePeriod period,
        CancellationToken cancellationToken) =>
        _scores.GetTotalsAsync(agencies, period, cancellationToken);

    public Task<IReadOnlyList<ScoreRow>> GetScoreDayRowsAsync(string maDonVi, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        _scores.GetDayRowsAsync(maDonVi, from, to, cancellationToken);

    public Task<DateTimeOffset?> GetOldestConfirmationAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        store.ReadAsync(connection =>
        {
            var (firstWhole, afterLastWhole) = LedgerPeriodQuery.WholeMonths(from, to);
            var whole = firstWhole < afterLastWhole;
            // Months wholly inside from their roll-ups, the days at either end from their rows: what the figure reads.
            using var command = SqliteStore.Command(connection, null, """
                SELECT MIN(oldest) FROM (
                    SELECT MIN(oldest_confirmed) AS oldest FROM ledger_month
                    WHERE $whole AND synced > 0 AND month >= $first AND month < $after AND ma_don_vi IN (SELECT value FROM json_each($agencies))
                    UNION ALL
                    SELECT MIN(oldest_confirmed) FROM ledger_day
                    WHERE synced > 0 AND day BETWEEN $from AND $to AND ma_don_vi IN (SELECT value FROM json_each($agencies))
                      AND NOT ($whole AND day / 100 >= $first AND day / 100 < $after))
                """, ("$whole", whole), ("$first", SqliteSchema.Month(firstWhole)), ("$after", SqliteSchema.Month(afterLastWhole)),
                ("$from", SqliteSchema.Day(from)), ("$to", SqliteSchema.Day(to)), ("$agencies", Json(agencies)));
            return command.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(VnTime.Offset) : (DateTimeOffset?)null;
        }, cancellationToken);

    public Task<IReadOnlyList<LedgerDayCount>> GetDayCountsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<LedgerDayCount>>(connection => DayCounts(connection, agencies, from, to), cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> GetUnsyncedAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        UnsyncedPosition? after, int limit, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<LedgerEntry>>(connection =>
        {
            var low = SqliteSchema.Instant(VnTime.StartOfDay(from));
            var high = SqliteSchema.Instant(VnTime.StartOfDay(to.AddDays(1)));
            using var command = SqliteStore.Command(connection, null, $"""
                SELECT {EntryColumns} FROM ledger_entry
                WHERE unsynced = 1 AND ngay_tiep_nhan >= $low AND ngay_tiep_nhan < $high
                  AND ($after_at IS NULL OR (ngay_tiep_nhan, ma_ho_so) > ($after_at, $after_ma))
                  AND ma_don_vi IN (SELECT value FROM json_each($agencies))
                ORDER BY ngay_tiep_nhan, ma_ho_so LIMIT $limit
                """,
                ("$low", low), ("$high", high), ("$after_at", SqliteSchema.Instant(after?.NgayTiepNhan.ToOffset(VnTime.Offset))),
                ("$after_ma", after?.MaHoSo), ("$agencies", Json(agencies)), ("$limit", limit));
            return ReadEntries(command);
        }, cancellationToken);

    public async IAsyncEnumerable<LedgerEntry> GetInRepairAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Read in pages by key: no reader stays open across the caller's awaits.
        (string Agency, string MaHoSo)? after = null;
        while (true)
        {
            var page = await store.ReadAsync(connection =>
            {
                using var command = SqliteStore.Command(connection, null, $"""
                    SELECT {EntryColumns} FROM ledger_entry
                    WHERE in_repair = 1 AND ($a IS NULL OR (ma_don_vi, ma_ho_so) > ($a, $h))
                    ORDER BY ma_don_vi, ma_ho_so LIMIT 1000
                    """, ("$a", after?.Agency), ("$h", after?.MaHoSo));
                return ReadEntries(command);
            }, cancellationToken);
            foreach (var entry in page) yield return entry;
            if (page.Count < 1000) yield break;
            after = (page[^1].MaDonVi, page[^1].MaHoSo);
        }
    }

    private static List<LedgerDayCount> DayCounts(SqliteConnection connection, IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to)
    {
        using var command = SqliteStore.Command(connection, null, """
            SELECT ma_don_vi, day, seen, synced, reported FROM ledger_day
            WHERE day BETWEEN $from AND $to AND ma_don_vi IN (SELECT value FROM json_each($agencies))
            """, ("$from", SqliteSchema.Day(from)), ("$to", SqliteSchema.Day(to)), ("$agencies", Json(agencies)));
        using var reader = command.ExecuteReader();
        var counts = new List<LedgerDayCount>();
        while (reader.Read())
            counts.Add(new LedgerDayCount(reader.GetString(0), SqliteSchema.ReadDay(reader.GetInt64(1)), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
        return counts;
    }

    private static string Json(IReadOnlyCollection<string> agencies) => JsonSerializer.Serialize(agencies);

    internal static List<LedgerEntry> ReadEntries(SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        var entries = new List<LedgerEntry>();
        while (reader.Read()) entries.Add(ReadEntry(reader));
        return entries;
    }

    private static LedgerEntry ReadEntry(SqliteDataReader r) => new()
    {
        MaDonVi = r.GetString(0),
        MaHoSo = r.GetString(1),
        NgayTiepNhan = SqliteSchema.ReadInstant(r, 2),
        TrangThaiHoSo = r.IsDBNull(3) ? null : r.GetInt32(3),
        PhienBan = r.GetInt64(4),
        State = SyncStateNames.TryParseWire(r.GetString(5), out var state) ? state : SyncState.Pending,
        PortalHolds = r.GetBoolean(6),
        Attempts = r.GetInt32(7),
        LastError = r.IsDBNull(8) ? null : r.GetString(8),
        NextAttemptAt = SqliteSchema.ReadInstant(r, 9),
        FailingSince = SqliteSchema.ReadInstant(r, 10),
        ConfirmedAt = SqliteSchema.ReadInstant(r, 11),
        UpdatedAt = SqliteSchema.ReadInstant(r, 12) ?? default,
        ETag = SqliteSchema.ETag(r.GetInt64(13)),
        PortalCopyLacksReceptionDate = r.GetBoolean(14),
        SourceFacts = DossierFacts.TryParse(r.IsDBNull(15) ? null : r.GetString(15), out var sourceFacts) ? sourceFacts : null,
        PortalFacts = DossierFacts.TryParse(r.IsDBNull(16) ? null : r.GetString(16), out var portalFacts) ? portalFacts : null,
        MovedTo = r.IsDBNull(17) ? null : r.GetString(17),
        ChangedAt = SqliteSchema.ReadInstant(r, 18),
        StepsSentUpTo = SqliteSchema.ReadInstant(r, 19),
    };
}
