using DvcSync.Application.Repair;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.Standalone.Hosting;

/// <summary>The Functions app's poison-queue trigger, for the standalone host: poison messages become abandoned entries.</summary>
public sealed class PoisonQueueDrainer(StorageAccount account, StorageOptions storage, IPoisonDrainHandler handler, RepairPollerOptions options, ILogger<PoisonQueueDrainer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poison = account.Queue(storage.PoisonQueue);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = (await poison.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(1), stoppingToken)).Value;
                foreach (var message in messages)
                {
                    await handler.HandleMessageAsync(message.Body.ToString(), message.MessageId, stoppingToken);
                    await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
                }
                if (messages.Length > 0) continue;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The message stays in the poison queue and is read again after its visibility timeout.
                logger.LogError(e, "Draining {Queue} failed; trying again", storage.PoisonQueue);
            }
            await Task.Delay(options.MaxIdle, stoppingToken);
        }
    }
}
