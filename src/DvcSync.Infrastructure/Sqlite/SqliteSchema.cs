using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// The embedded store's tables. Every row that can be written concurrently carries a <c>version</c>, the ETag's
/// counterpart: a write names the version it read, and loses if the row moved on.
/// </summary>
internal static class SqliteSchema
{
    public static readonly string Create = $$"""
        CREATE TABLE IF NOT EXISTS ledger_entry (
            ma_don_vi TEXT NOT NULL,
            ma_ho_so TEXT NOT NULL,
            ngay_tiep_nhan TEXT,
            trang_thai_ho_so INTEGER,
            phien_ban INTEGER NOT NULL,
            state TEXT NOT NULL,
            portal_holds INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT,
            next_attempt_at TEXT,
            failing_since TEXT,
            confirmed_at TEXT,
            updated_at TEXT NOT NULL,
            unsynced INTEGER NOT NULL,
            in_repair INTEGER NOT NULL,
            version INTEGER NOT NULL,
            portal_copy_lacks_reception_date INTEGER NOT NULL,
            source_facts TEXT,
            portal_facts TEXT,
            moved_to TEXT,
            changed_at TEXT,
            steps_sent_up_to TEXT,
            PRIMARY KEY (ma_don_vi, ma_ho_so)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ledger_unsynced ON ledger_entry (ngay_tiep_nhan, ma_ho_so, ma_don_vi) WHERE unsynced = 1;
        CREATE INDEX IF NOT EXISTS ledger_in_repair ON ledger_entry (ma_don_vi, ma_ho_so) WHERE in_repair = 1;

        CREATE TABLE IF NOT EXISTS ledger_day (
            ma_don_vi TEXT NOT NULL,
            day INTEGER NOT NULL,
            seen INTEGER NOT NULL,
            synced INTEGER NOT NULL,
            reported INTEGER NOT NULL,
            oldest_confirmed INTEGER,
            PRIMARY KEY (ma_don_vi, day)) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS ledger_month (
            ma_don_vi TEXT NOT NULL,
            month INTEGER NOT NULL,
            received INTEGER NOT NULL,
            synced INTEGER NOT NULL,
            oldest_confirmed INTEGER,
            PRIMARY KEY (month, ma_don_vi)) WITHOUT ROWID;

        {{ScoreCounterTable("score_day", "day")}}
        {{ScoreCounterTable("score_month", "month")}}
        {{ScoreCounterTable("score_month_days", "month")}}

        CREATE TABLE IF NOT EXISTS agency_listed (
            ma_don_vi TEXT PRIMARY KEY,
            ten_don_vi TEXT NOT NULL,
            cap TEXT NOT NULL,
            ma_don_vi_cha TEXT) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS state_document (
            name TEXT PRIMARY KEY,
            body TEXT NOT NULL,
            version INTEGER NOT NULL) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS lease (
            name TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            expires_at TEXT NOT NULL) WITHOUT ROWID;

        CREATE TABLE IF NOT EXISTS queue_message (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            queue TEXT NOT NULL,
            id TEXT NOT NULL UNIQUE,
            body TEXT NOT NULL,
            visible_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL,
            receipt TEXT);
        CREATE INDEX IF NOT EXISTS queue_visible ON queue_message (queue, visible_at, seq);
        """;

    /// <summary>
    /// A table of scorecard counters: one row per agency, day or month, axis, side and counter name (day rows, month
    /// roll-ups, and the roll-ups' open dossiers by due day).
    /// </summary>
    private static string ScoreCounterTable(string name, string period) => $"""
        CREATE TABLE IF NOT EXISTS {name} (
            ma_don_vi TEXT NOT NULL,
            {period} INTEGER NOT NULL,
            axis TEXT NOT NULL,
            side TEXT NOT NULL,
            counter TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (ma_don_vi, {period}, axis, side, counter)) WITHOUT ROWID;
        """;

    /// <summary>Columns added since the first release, as (table, column, definition): a file written by an older release gets them at start.</summary>
    public static readonly IReadOnlyList<(string Table, string Column, string Definition)> AddedColumns =
    [
        ("ledger_entry", "moved_to", "TEXT"),
        ("ledger_day", "oldest_confirmed", "INTEGER"),
        ("ledger_month", "oldest_confirmed", "INTEGER"),
        ("ledger_entry", "changed_at", "TEXT"),
        ("ledger_entry", "steps_sent_up_to", "TEXT"),
    ];

    /// <summary>What needs the added columns; run after they exist.</summary>
    public const string AfterColumns = """
        CREATE INDEX IF NOT EXISTS ledger_by_code ON ledger_entry (ma_ho_so) WHERE moved_to IS NULL;
        """;

    /// <summary>Creates what is missing: tables and indexes, then columns a file from an older release lacks.</summary>
    public static void Apply(SqliteConnection connection, SqliteTransaction transaction)
    {
        SqliteStore.Execute(connection, transaction, Create);
        foreach (var (table, column, definition) in AddedColumns)
        {
            using var command = SqliteStore.Command(connection, transaction, $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $c", ("$c", column));
            if ((long)command.ExecuteScalar()! == 0) SqliteStore.Execute(connection, transaction, $"ALTER TABLE {table} ADD COLUMN {column} {definition}");
        }
        SqliteStore.Execute(connection, transaction, AfterColumns);
    }

    /// <summary>An instant as text that sorts as it compares, kept with the offset it was written with.</summary>
    public static string? Instant(DateTimeOffset? value) => value?.ToString("o", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ReadInstant(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.ParseExact(reader.GetString(ordinal), "o", CultureInfo.InvariantCulture);

    public static int Day(DateOnly day) => day.Year * 10000 + day.Month * 100 + day.Day;

    public static DateOnly ReadDay(long value) => new((int)(value / 10000), (int)(value / 100 % 100), (int)(value % 100));

    public static int Month(DateOnly day) => day.Year * 100 + day.Month;

    public static DateOnly ReadMonth(long value) => new((int)(value / 100), (int)(value % 100), 1);

    public static string ETag(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>The version an ETag stands for; -1 (no row has it) for one this store did not give.</summary>
    public static long Version(string? etag) => long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : -1;
}
