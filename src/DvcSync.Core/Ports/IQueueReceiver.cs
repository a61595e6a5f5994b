namespace DvcSync.Core.Ports;

/// <summary>
/// A message taken from a queue: hidden from other receivers until its visibility time-out, and deleted, put back or
/// dead-lettered by the holder of its <see cref="Receipt"/> (each renewal replaces the receipt).
/// </summary>
/// <param name="DequeueCount">How many times the message has been received, this time included.</param>
public sealed record ReceivedMessage(string Id, string Body, long DequeueCount, string Receipt);

/// <summary>
/// The consuming side of a queue, as the Functions host's queue trigger uses it: the standalone host polls through this
/// port, so it does not know which store holds its queues. A message whose receipt is stale (its visibility ran out
/// and someone else received it) is not ours any more: the calls then answer false or null rather than throw.
/// </summary>
public interface IQueueReceiver
{
    /// <summary>The queue's name, for logs.</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="max"/> visible messages, each hidden for <paramref name="visibility"/> and its dequeue count raised.</summary>
    Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Hides the message for <paramref name="visibility"/> from now. The message with its new receipt; null when it is no longer ours.</summary>
    Task<ReceivedMessage?> RenewAsync(ReceivedMessage message, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Puts the message back, to show again after <paramref name="delay"/>. False when it is no longer ours.</summary>
    Task<bool> ReleaseAsync(ReceivedMessage message, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>Deletes a handled message. False when it is no longer ours.</summary>
    Task<bool> DeleteAsync(ReceivedMessage message, CancellationToken cancellationToken);
}

/// <summary>The repair queue's consuming side: a message that failed too often moves to its poison queue.</summary>
public interface IRepairQueueReceiver : IQueueReceiver
{
    /// <summary>Moves the message to the poison queue, keeping its body. False when it is no longer ours.</summary>
    Task<bool> DeadLetterAsync(ReceivedMessage message, CancellationToken cancellationToken);
}

/// <summary>The poison queue's consuming side: what the poison drainer reads.</summary>
public interface IPoisonQueueReceiver : IQueueReceiver;
