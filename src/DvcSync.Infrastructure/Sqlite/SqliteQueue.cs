using DvcSync.Application.Repair;
using DvcSync.Core.Ports;
using DvcSync.Core.Retry;
using static DvcSync.Infrastructure.Sqlite.SqliteStore;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// A queue in the embedded store, with a storage queue's semantics: a received message is hidden until its
/// visibility time-out and its dequeue count raised; only the holder of its latest receipt may renew, put back,
/// delete or dead-letter it; a message expires after its time to live. Time is the machine's clock (the store's own,
/// as a storage queue's is the service's), not the application's.
/// </summary>
internal class SqliteQueue(SqliteStore store, string name) : IQueueReceiver
{
    protected static readonly TimeProvider Clock = TimeProvider.System;

    /// <summary>What a message never expiring means here: far enough not to matter, small enough for arithmetic.</summary>
    protected static readonly long Never = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() / 2;

    public string Name => name;

    protected SqliteStore Store => store;

    public Task<string> SendAsync(string body, TimeSpan delay, TimeSpan? timeToLive, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
        {
            var now = Now();
            var visible = now + (long)Math.Max(0, delay.TotalMilliseconds);
            var id = Guid.NewGuid().ToString();
            Execute(connection, transaction, """
                INSERT INTO queue_message (queue, id, body, visible_at, expires_at, dequeue_count) VALUES ($q, $id, $body, $visible, $expires, 0)
                """, ("$q", name), ("$id", id), ("$body", body), ("$visible", visible),
                ("$expires", timeToLive is { } ttl ? now + (long)ttl.TotalMilliseconds : Never));
            return id;
        }, cancellationToken);

    public Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken) =>
        store.WriteAsync<IReadOnlyList<ReceivedMessage>>((connection, transaction) =>
        {
            var now = Now();
            Execute(connection, transaction, "DELETE FROM queue_message WHERE queue = $q AND expires_at <= $now", ("$q", name), ("$now", now));
            var taken = new List<ReceivedMessage>();
            using (var command = SqliteStore.Command(connection, transaction, """
                SELECT id, body, dequeue_count FROM queue_message WHERE queue = $q AND visible_at <= $now ORDER BY visible_at, seq LIMIT $max
                """, ("$q", name), ("$now", now), ("$max", Math.Max(1, max))))
            using (var reader = command.ExecuteReader())
                while (reader.Read())
                    taken.Add(new ReceivedMessage(reader.GetString(0), reader.GetString(1), reader.GetInt64(2) + 1, Guid.NewGuid().ToString("N")));
            foreach (var message in taken)
                Execute(connection, transaction, "UPDATE queue_message SET visible_at = $visible, dequeue_count = $count, receipt = $receipt WHERE id = $id",
                    ("$visible", now + (long)visibility.TotalMilliseconds), ("$count", message.DequeueCount), ("$receipt", message.Receipt), ("$id", message.Id));
            return taken;
        }, cancellationToken);

    public Task<ReceivedMessage?> RenewAsync(ReceivedMessage message, TimeSpan visibility, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
        {
            var renewed = message with { Receipt = Guid.NewGuid().ToString("N") };
            return Execute(connection, transaction, "UPDATE queue_message SET visible_at = $visible, receipt = $new WHERE id = $id AND receipt = $old",
                ("$visible", Now() + (long)visibility.TotalMilliseconds), ("$new", renewed.Receipt), ("$id", message.Id), ("$old", message.Receipt)) == 1
                ? renewed : null;
        }, cancellationToken);

    public Task<bool> ReleaseAsync(ReceivedMessage message, TimeSpan delay, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
            Execute(connection, transaction, "UPDATE queue_message SET visible_at = $visible, receipt = NULL WHERE id = $id AND receipt = $old",
                ("$visible", Now() + (long)Math.Max(0, delay.TotalMilliseconds)), ("$id", message.Id), ("$old", message.Receipt)) == 1, cancellationToken);

    public Task<bool> DeleteAsync(ReceivedMessage message, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
            Execute(connection, transaction, "DELETE FROM queue_message WHERE id = $id AND receipt = $old", ("$id", message.Id), ("$old", message.Receipt)) == 1,
            cancellationToken);

    /// <summary>Messages not expired, hidden or not: what a storage queue's approximate count counts.</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken) =>
        store.ReadAsync(connection =>
        {
            using var command = SqliteStore.Command(connection, null, "SELECT COUNT(*) FROM queue_message WHERE queue = $q AND expires_at > $now",
                ("$q", name), ("$now", Now()));
            return (long)command.ExecuteScalar()!;
        }, cancellationToken);

    protected static long Now() => Clock.GetUtcNow().ToUnixTimeMilliseconds();
}

/// <summary>
/// The repair queue in the embedded store: both its sending side (<see cref="IRepairQueue"/>) and its receiving side.
/// Dead-lettering moves the message to the poison queue in one transaction: it is never in both, nor in neither.
/// </summary>
internal sealed class SqliteRepairQueue(SqliteStore store, string name, SqliteQueue poison, RetrySchedule retry)
    : SqliteQueue(store, name), IRepairQueue, IRepairQueueReceiver
{
    public Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken) =>
        SendRepairAsync(RepairMessageCodec.Encode(request), delay, cancellationToken);

    public Task<string> EnqueueBatchAsync(IReadOnlyList<RepairRequest> requests, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(requests.Count, PortalServices.MaxDossiersPerBatch);
        return SendRepairAsync(RepairMessageCodec.Encode(requests), delay, cancellationToken);
    }

    private Task<string> SendRepairAsync(string message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var visibility = delay <= TimeSpan.Zero ? TimeSpan.Zero : delay;
        return SendAsync(message, visibility, retry.MessageTimeToLive(visibility), cancellationToken);
    }

    public Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken) => CountAsync(cancellationToken);

    public Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken) => poison.CountAsync(cancellationToken);

    public Task<bool> DeadLetterAsync(ReceivedMessage message, CancellationToken cancellationToken) =>
        Store.WriteAsync((connection, transaction) =>
            Execute(connection, transaction, """
                UPDATE queue_message SET queue = $poison, visible_at = $now, expires_at = $never, dequeue_count = 0, receipt = NULL
                WHERE id = $id AND receipt = $old
                """, ("$poison", poison.Name), ("$now", Now()), ("$never", Never), ("$id", message.Id), ("$old", message.Receipt)) == 1,
            cancellationToken);
}

internal sealed class SqlitePoisonQueue(SqliteStore store, string name) : SqliteQueue(store, name), IPoisonQueueReceiver;
