using DvcSync.Application.Configuration;
using DvcSync.Application.Repair;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Options;

namespace DvcSync.Standalone.Hosting;

/// <summary>The standalone host's queue pollers (<c>Sync</c> section, standalone host only), checked at start.</summary>
public sealed class RepairPollerOptions
{
    public const string SectionName = "Sync";

    /// <summary>The Functions host's visibilityTimeout in host.json: the delay before a failed message comes back.</summary>
    public static readonly TimeSpan DefaultRedeliveryDelay = TimeSpan.FromMinutes(2);

    /// <summary>Repairs in parallel.</summary>
    [SettingRange(1, 64)]
    public int RepairConcurrency { get; set; } = 8;

    /// <summary>How long a taken message stays hidden if its process dies (renewed while the repair runs).</summary>
    [SettingRange(1, 3600)]
    public double RepairVisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>When a message whose repair threw comes back.</summary>
    [SettingRange(0, 3600)]
    public double RepairRedeliverySeconds { get; set; } = DefaultRedeliveryDelay.TotalSeconds;

    /// <summary>The longest wait between two polls of an empty queue (the repair queue and its poison queue).</summary>
    [SettingRange(10, 60_000)]
    public double QueuePollMaxMilliseconds { get; set; } = 2000;

    public TimeSpan VisibilityTimeout => TimeSpan.FromSeconds(RepairVisibilityTimeoutSeconds);
    public TimeSpan RedeliveryDelay => TimeSpan.FromSeconds(RepairRedeliverySeconds);
    public TimeSpan MaxIdle => TimeSpan.FromMilliseconds(QueuePollMaxMilliseconds);

    /// <summary>How often a message in the handler's hands is hidden again: a third of its time-out, so that a slow
    /// storage call or two still renews it before it shows.</summary>
    public TimeSpan RenewEvery => VisibilityTimeout / 3;
}

[OptionsValidator]
internal sealed partial class RepairPollerOptionsValidator : IValidateOptions<RepairPollerOptions>;

/// <summary>
/// The queue trigger's semantics without the Functions host: a message is deleted only after its handler returned,
/// and stays hidden from other pollers while the handler runs, however long that takes; a handler that throws leaves
/// it to come back after <see cref="RepairPollerOptions.RedeliveryDelay"/> (host.json's visibilityTimeout), and the
/// fifth failure moves it to <c>-poison</c> — as the Functions host does, so the repair behaves the same on both hosts.
/// A failed delete or update is logged and not thrown: the message then comes back, and the handler is idempotent.
/// </summary>
public sealed class RepairQueuePoller(
    IRepairQueueReceiver queue,
    IRepairHandler handler,
    RepairPollerOptions options,
    ILogger<RepairQueuePoller> logger) : BackgroundService
{
    public const int MaxDequeueCount = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var idle = TimeSpan.FromMilliseconds(50);

            while (!stoppingToken.IsCancellationRequested)
            {
                IReadOnlyList<ReceivedMessage> messages;
                try
                {
                    messages = await queue.ReceiveAsync(Math.Clamp(options.RepairConcurrency * 2, 1, 32), options.VisibilityTimeout, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "The repair queue could not be read; trying again");
                    await Task.Delay(options.MaxIdle, stoppingToken);
                    continue;
                }

                if (messages.Count == 0)
                {
                    await Task.Delay(idle, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, options.MaxIdle.Ticks));
                    continue;
                }
                idle = TimeSpan.FromMilliseconds(50);

                await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = options.RepairConcurrency, CancellationToken = stoppingToken },
                    async (message, ct) => await ProcessAsync(message, ct));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a stop is not a failure (the host of Microsoft.Extensions.Hosting 11 reports a cancelled service as one).
        }
    }

    private async Task ProcessAsync(ReceivedMessage received, CancellationToken cancellationToken)
    {
        var held = new Held(received);
        using var handled = new CancellationTokenSource();
        var keeping = KeepHiddenAsync(held, handled.Token);
        Exception? failure = null;
        try
        {
            await handler.HandleMessageAsync(received.Body, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the message becomes visible again after its time-out and is handled by the next start.
            return;
        }
        catch (Exception e)
        {
            failure = e;
        }
        finally
        {
            await handled.CancelAsync();
            await keeping;
        }

        if (failure is null)
        {
            await TryAsync(() => queue.DeleteAsync(held.Message, CancellationToken.None), received, "deleted after its repair");
        }
        else if (received.DequeueCount >= MaxDequeueCount)
        {
            logger.LogError(failure, "Repair message {MessageId} failed {Count} times; moved to the poison queue", received.Id, received.DequeueCount);
            await TryAsync(() => queue.DeadLetterAsync(held.Message, CancellationToken.None), received, "moved to the poison queue");
        }
        else
        {
            logger.LogWarning(failure, "Repair message {MessageId} failed (delivery {Count}); it will be delivered again in {Delay}",
                received.Id, received.DequeueCount, options.RedeliveryDelay);
            await TryAsync(() => queue.ReleaseAsync(held.Message, options.RedeliveryDelay, CancellationToken.None), received, "put back for a later delivery");
        }
    }

    /// <summary>
    /// Hides the message again every <see cref="RepairPollerOptions.RenewEvery"/> until the handler is done, keeping
    /// the receipt each renewal returns (the previous one stops working). Never throws: a renewal that fails means
    /// the message may show and be handled twice, which the handler tolerates.
    /// </summary>
    private async Task KeepHiddenAsync(Held held, CancellationToken handled)
    {
        while (true)
        {
            try
            {
                await Task.Delay(options.RenewEvery, handled);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                // Not cancellable: a renewal the store applied must have its new receipt kept, or the delete fails.
                if (await queue.RenewAsync(held.Message, options.VisibilityTimeout, CancellationToken.None) is not { } renewed)
                {
                    logger.LogWarning("Repair message {MessageId} was received again elsewhere while its repair ran; it may be handled twice", held.Message.Id);
                    return;
                }
                held.Message = renewed;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Repair message {MessageId} could not be kept hidden while its repair runs; it may be delivered again", held.Message.Id);
                return;
            }
        }
    }

    private async Task TryAsync(Func<Task<bool>> storageCall, ReceivedMessage message, string what)
    {
        try
        {
            if (!await storageCall())
                logger.LogWarning("Repair message {MessageId} could not be {What}: it was received again elsewhere, and is handled again", message.Id, what);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Repair message {MessageId} could not be {What}; it comes back after its visibility time-out and is handled again",
                message.Id, what);
        }
    }

    /// <summary>The message with its current receipt: every renewal of its invisibility replaces it.</summary>
    private sealed class Held(ReceivedMessage message)
    {
        public ReceivedMessage Message { get; set; } = message;
    }
}
