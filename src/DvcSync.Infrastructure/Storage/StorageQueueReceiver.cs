using System.Net;
using Azure;
using Azure.Storage.Queues;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// A queue's consuming side on Azure Storage Queues. A stale pop receipt is refused by the service (the message was
/// received again by someone else, or is gone): the message is then no longer ours.
/// </summary>
internal class StorageQueueReceiver(QueueClient queue) : IQueueReceiver
{
    public string Name => queue.Name;

    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(int max, TimeSpan visibility, CancellationToken cancellationToken)
    {
        var messages = (await queue.ReceiveMessagesAsync(Math.Clamp(max, 1, 32), visibility, cancellationToken)).Value;
        return messages.Select(m => new ReceivedMessage(m.MessageId, m.Body.ToString(), m.DequeueCount, m.PopReceipt)).ToList();
    }

    public async Task<ReceivedMessage?> RenewAsync(ReceivedMessage message, TimeSpan visibility, CancellationToken cancellationToken)
    {
        try
        {
            var renewed = await queue.UpdateMessageAsync(message.Id, message.Receipt, visibilityTimeout: visibility, cancellationToken: cancellationToken);
            return message with { Receipt = renewed.Value.PopReceipt };
        }
        catch (RequestFailedException e) when (IsNotOurs(e))
        {
            return null;
        }
    }

    public async Task<bool> ReleaseAsync(ReceivedMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await queue.UpdateMessageAsync(message.Id, message.Receipt, visibilityTimeout: delay, cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (IsNotOurs(e))
        {
            return false;
        }
    }

    public async Task<bool> DeleteAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await queue.DeleteMessageAsync(message.Id, message.Receipt, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (IsNotOurs(e))
        {
            return false;
        }
    }

    /// <summary>400 PopReceiptMismatch: someone else received the message since; 404: the message is gone.</summary>
    private static bool IsNotOurs(RequestFailedException e) =>
        e.Status == (int)HttpStatusCode.NotFound || e.ErrorCode == "PopReceiptMismatch";
}

/// <summary>The repair queue: dead-lettering copies the message to the poison queue, then deletes it (at least once).</summary>
internal sealed class StorageRepairQueueReceiver(QueueClient queue, QueueClient poison) : StorageQueueReceiver(queue), IRepairQueueReceiver
{
    public async Task<bool> DeadLetterAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        return await DeleteAsync(message, cancellationToken);
    }
}

internal sealed class StoragePoisonQueueReceiver(QueueClient poison) : StorageQueueReceiver(poison), IPoisonQueueReceiver;
