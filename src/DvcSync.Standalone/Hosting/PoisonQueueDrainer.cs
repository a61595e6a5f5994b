using DvcSync.Application.Repair;
using DvcSync.Core.Ports;

namespace DvcSync.Standalone.Hosting;

/// <summary>The Functions app's poison-queue trigger, for the standalone host: poison messages become abandoned entries.</summary>
public sealed class PoisonQueueDrainer(IPoisonQueueReceiver poison, IPoisonDrainHandler handler, RepairPollerOptions options, ILogger<PoisonQueueDrainer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var messages = await poison.ReceiveAsync(16, TimeSpan.FromMinutes(1), stoppingToken);
                    foreach (var message in messages)
                    {
                        await handler.HandleMessageAsync(message.Body, message.Id, stoppingToken);
                        await poison.DeleteAsync(message, stoppingToken);
                    }
                    if (messages.Count > 0) continue;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // The message stays in the poison queue and is read again after its visibility timeout.
                    logger.LogError(e, "Draining {Queue} failed; trying again", poison.Name);
                }
                await Task.Delay(options.MaxIdle, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a stop is not a failure (the host of Microsoft.Extensions.Hosting 11 reports a cancelled service as one).
        }
    }
}
