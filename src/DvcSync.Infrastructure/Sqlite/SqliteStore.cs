using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// The embedded store's file: one writer at a time, readers in parallel. WAL lets readers go on while a write commits;
/// <c>synchronous=FULL</c> syncs the log at every commit, so a verdict or a queue message the program was told is saved
/// survives a power cut, not only a crash (NORMAL would keep it through a crash but may lose the last commits to a
/// power cut). Writes are serialised by a lock in the process and by <c>BEGIN IMMEDIATE</c> between processes (the
/// audit or backup command beside the host), whose waits the busy time-out absorbs.
/// </summary>
public sealed class SqliteStore : IDisposable
{
    private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;

    public SqliteStore(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)BusyTimeout.TotalSeconds,
        }.ToString();
        _writer = Open();
        Execute(_writer, null, "PRAGMA journal_mode=WAL;");
        using var transaction = _writer.BeginTransaction();
        Execute(_writer, transaction, SqliteSchema.Create);
        // A file made by an earlier version lacks the columns added since; CREATE IF NOT EXISTS does not add them.
        foreach (var (table, column, type) in SqliteSchema.AddedColumns)
        {
            using var has = Command(_writer, transaction, $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'");
            if (Convert.ToInt64(has.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
                Execute(_writer, transaction, $"ALTER TABLE {table} ADD COLUMN {column} {type}");
        }
        transaction.Commit();
    }

    /// <summary>The database file, as an absolute path.</summary>
    public string Path { get; }

    internal string ConnectionString { get; }

    /// <summary>A new connection set up as every connection of the store must be (pooled: opening is cheap).</summary>
    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        Execute(connection, null, string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA synchronous=FULL; PRAGMA busy_timeout={(int)BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys=OFF;"));
        return connection;
    }

    /// <summary>Runs <paramref name="read"/> on a connection of its own, in parallel with other reads and the writer.</summary>
    internal async Task<T> ReadAsync<T>(Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // The provider's calls are synchronous: off the caller's thread, so a long read does not hold a request thread.
        return await Task.Run(() =>
        {
            using var connection = Open();
            return read(connection);
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="write"/> in one immediate transaction on the writer connection, committed before this
    /// returns; rolled back if it throws.
    /// </summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() =>
            {
                using var transaction = _writer.BeginTransaction(deferred: false);
                var result = write(_writer, transaction);
                transaction.Commit();
                return result;
            }, CancellationToken.None);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    internal Task WriteAsync(Action<SqliteConnection, SqliteTransaction> write, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            write(connection, transaction);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Copies the whole database to <paramref name="destination"/> with SQLite's online backup, while the program
    /// reads and writes: the copy is the database as of one moment.
    /// </summary>
    public void BackupTo(string destination)
    {
        var target = System.IO.Path.GetFullPath(destination);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        using var source = Open();
        using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        copy.Open();
        source.BackupDatabase(copy);
    }

    internal static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public void Dispose()
    {
        _writer.Dispose();
        _writeLock.Dispose();
    }
}
