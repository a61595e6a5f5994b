using DvcSync.Application.Configuration;
using DvcSync.Application.Reconciliation;

namespace DvcSync.Standalone.Hosting;

/// <summary>The standalone host's timer (<c>Sync</c> section, standalone host only).</summary>
public sealed class ReconcileTimerOptions
{
    public const string SectionName = "Sync";

    /// <summary>Run a reconciliation at start. Off by default as on Azure (RunOnStartup=false); the demo turns it on so
    /// the first figures come at once.</summary>
    public bool ReconcileOnStartup { get; set; }
}

/// <summary>
/// The timer trigger without the Functions host: runs the reconciliation on <c>Sync:ReconcileSchedule</c>, to the end
/// of its window, or in slices of <c>Sync:ReconcileSliceMinutes</c> when that is set.
/// </summary>
public sealed class ReconcileTimer(
    IReconcileHandler handler,
    SyncOptions options,
    ReconcileTimerOptions timer,
    TimeProvider clock,
    ILogger<ReconcileTimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (timer.ReconcileOnStartup) await RunOnceAsync(stoppingToken);

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var next = options.Schedule.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc);
            if (next is null) return;
            var wait = new DateTimeOffset(next.Value, TimeSpan.Zero) - now;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, stoppingToken);
            await RunOnceAsync(stoppingToken);
        }
    }

    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        try
        {
            await (options.ReconcileSlice is { } budget ? handler.RunSliceAsync(budget, stoppingToken) : handler.RunAsync(stoppingToken));
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // Logged and recorded for /api/health by the handler; the next tick resumes from the watermark. A time-out
            // deep in a storage or HTTP call is an OperationCanceledException too: it must not stop the timer.
            logger.LogError(e, "Scheduled reconciliation failed");
        }
    }
}
