using Azure.Storage.Queues;
using DvcSync.Application.Repair;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The repair queue on Azure Storage Queues. Messages are Base64 JSON because that is what the Functions queue
/// trigger expects by default, so both hosts read what either wrote.
/// </summary>
internal sealed class StorageQueueRepairQueue(QueueClient queue, QueueClient poisonQueue) : IRepairQueue
{
    // Storage queues hide a message for at most 7 days.
    private static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public async Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        var visibility = delay <= TimeSpan.Zero ? (TimeSpan?)null : delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        var receipt = await queue.SendMessageAsync(RepairMessageCodec.Encode(request), visibility, TimeSpan.FromSeconds(-1), cancellationToken);
        return receipt.Value.MessageId;
    }

    public async Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    public async Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken)
    {
        if (!await poisonQueue.ExistsAsync(cancellationToken)) return 0;
        return (await poisonQueue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
    }
}

