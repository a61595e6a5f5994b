using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DvcSync.Application.Repair;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.Standalone.Hosting;

/// <summary>
/// The queue trigger's semantics without the Functions host: a message is deleted only after its handler returned;
/// a handler that throws leaves it to come back at once, and the fifth failure moves it to <c>-poison</c> — as the
/// Functions host does, so the repair behaves the same on both hosts.
/// </summary>
public sealed class RepairQueuePoller(
    StorageAccount account,
    StorageOptions storage,
    IRepairHandler handler,
    IConfiguration configuration,
    ILogger<RepairQueuePoller> logger) : BackgroundService
{
    public const int MaxDequeueCount = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = account.Queue(storage.RepairQueue);
        var poison = account.Queue(storage.PoisonQueue);
        var concurrency = configuration.GetValue("Sync:RepairConcurrency", 8);
        var maxIdle = TimeSpan.FromMilliseconds(configuration.GetValue("Sync:QueuePollMaxMilliseconds", 2000));
        var idle = TimeSpan.FromMilliseconds(50);
        // How long a message taken by this process stays hidden: if the process dies, that is when another takes it.
        var visibilityTimeout = TimeSpan.FromSeconds(configuration.GetValue("Sync:RepairVisibilityTimeoutSeconds", 300));

        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                messages = (await queue.ReceiveMessagesAsync(Math.Clamp(concurrency * 2, 1, 32), visibilityTimeout, stoppingToken)).Value;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "The repair queue could not be read; trying again");
                await Task.Delay(maxIdle, stoppingToken);
                continue;
            }

            if (messages.Length == 0)
            {
                await Task.Delay(idle, stoppingToken);
                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, maxIdle.Ticks));
                continue;
            }
            idle = TimeSpan.FromMilliseconds(50);

            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = stoppingToken },
                async (message, ct) => await ProcessAsync(queue, poison, message, ct));
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await handler.HandleMessageAsync(message.Body.ToString(), cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the message becomes visible again after its timeout and is handled by the next start.
        }
        catch (Exception e)
        {
            if (message.DequeueCount >= MaxDequeueCount)
            {
                logger.LogError(e, "Repair message {MessageId} failed {Count} times; moved to {Poison}", message.MessageId, message.DequeueCount, storage.PoisonQueue);
                await poison.SendMessageAsync(message.Body.ToString(), cancellationToken: CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
            }
            else
            {
                logger.LogWarning(e, "Repair message {MessageId} failed (delivery {Count}); it will be delivered again", message.MessageId, message.DequeueCount);
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
        }
    }
}
