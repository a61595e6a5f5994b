using System.Text.Json;
using Microsoft.Data.Sqlite;
using static DvcSync.Infrastructure.Sqlite.SqliteStore;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// Small named documents (the watermark, the runs, the portal's availability, the audit) kept as JSON with a version,
/// and leases: the state the table store keeps in single rows of its state table.
/// </summary>
internal sealed class SqliteDocuments(SqliteStore store)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<(T Value, long Version)?> GetAsync<T>(string name, CancellationToken cancellationToken) =>
        store.ReadAsync(connection => Read<T>(connection, null, name), cancellationToken);

    /// <summary>Writes the document if its version is still <paramref name="expected"/> (0: must not exist). The new version; null when it moved on.</summary>
    public Task<long?> TryPutAsync<T>(string name, T value, long expected, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) => TryPut(connection, transaction, name, value, expected), cancellationToken);

    /// <summary>Reads, changes and writes the document in one transaction: nobody writes between.</summary>
    public Task UpdateAsync<T>(string name, Func<T?, T?> change, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
        {
            var current = Read<T>(connection, transaction, name);
            if (change(current is { } c ? c.Value : default) is { } next)
                TryPut(connection, transaction, name, next, current?.Version ?? 0);
        }, cancellationToken);

    /// <summary>Takes the lease if nobody else holds it unexpired; renews it for its holder.</summary>
    public Task<bool> TryAcquireLeaseAsync(string name, string owner, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
        {
            using var command = SqliteStore.Command(connection, transaction, """
                INSERT INTO lease (name, owner, expires_at) VALUES ($name, $owner, $expires)
                ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
                WHERE lease.owner = $owner OR lease.expires_at <= $now
                """, ("$name", name), ("$owner", owner), ("$expires", SqliteSchema.Instant((now + duration).ToUniversalTime())),
                ("$now", SqliteSchema.Instant(now.ToUniversalTime())));
            return command.ExecuteNonQuery() == 1;
        }, cancellationToken);

    public Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
            Execute(connection, transaction, "DELETE FROM lease WHERE name = $name AND owner = $owner", ("$name", name), ("$owner", owner)), cancellationToken);

    private static (T Value, long Version)? Read<T>(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using var command = SqliteStore.Command(connection, transaction, "SELECT body, version FROM state_document WHERE name = $name", ("$name", name));
        using var reader = command.ExecuteReader();
        return reader.Read() ? (JsonSerializer.Deserialize<T>(reader.GetString(0), Json)!, reader.GetInt64(1)) : null;
    }

    private static long? TryPut<T>(SqliteConnection connection, SqliteTransaction transaction, string name, T value, long expected)
    {
        var body = JsonSerializer.Serialize(value, Json);
        var changed = expected == 0
            ? Execute(connection, transaction, "INSERT INTO state_document (name, body, version) VALUES ($name, $body, 1) ON CONFLICT DO NOTHING",
                ("$name", name), ("$body", body))
            : Execute(connection, transaction, "UPDATE state_document SET body = $body, version = version + 1 WHERE name = $name AND version = $expected",
                ("$name", name), ("$body", body), ("$expected", expected));
        return changed == 1 ? expected + 1 : null;
    }
}
