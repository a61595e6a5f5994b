using Azure.Storage.Queues;
using DvcSync.Application.Repair;
using DvcSync.Core.Ports;
using DvcSync.Core.Retry;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The repair queue on Azure Storage Queues. Messages are Base64 JSON because that is what the Functions queue
/// trigger expects by default, so both hosts read what either wrote.
/// </summary>
internal sealed class StorageQueueRepairQueue(QueueClient queue, QueueClient poisonQueue, RetrySchedule retry) : IRepairQueue
{
    // Storage queues hide a message for at most 7 days.
    private static readonly TimeSpan MaxVisibilityDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken) =>
        SendAsync(RepairMessageCodec.Encode(request), delay, cancellationToken);

    public Task<string> EnqueueBatchAsync(IReadOnlyList<RepairRequest> requests, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests.Count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(requests.Count, PortalServices.MaxDossiersPerBatch);
        return SendAsync(RepairMessageCodec.Encode(requests), delay, cancellationToken);
    }

    private async Task<string> SendAsync(string message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var visibility = delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > MaxVisibilityDelay ? MaxVisibilityDelay : delay;
        var receipt = await queue.SendMessageAsync(message, visibility == TimeSpan.Zero ? null : visibility, TimeToLive(visibility), cancellationToken);
        return receipt.Value.MessageId;
    }

    /// <inheritdoc cref="RetrySchedule.MessageTimeToLive"/>
    internal TimeSpan TimeToLive(TimeSpan visibility) => retry.MessageTimeToLive(visibility);

    public async Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken) =>
        (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;

    public async Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken)
    {
        if (!await poisonQueue.ExistsAsync(cancellationToken)) return 0;
        return (await poisonQueue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
    }
}
