using DvcSync.Application.Audit;
using DvcSync.Application.Configuration;

namespace DvcSync.Standalone.Hosting;

/// <summary>
/// Runs the active audit in the background: at once when one is requested through this process's API, and on a poll
/// for one requested elsewhere or left half-done by a crash. A failed slice is retried after the poll interval.
/// </summary>
public sealed class AuditRunner(IAuditHandler handler, AuditTrigger trigger, SyncOptions options, ILogger<AuditRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.AuditPoll;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Returns at once when there is nothing to do or another process holds the audit's lease.
                await handler.RunAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // the audit stays "running" and resumes at the next start
            }
            catch (Exception e)
            {
                // Recorded on the audit for /api/health by the handler; resumed from its last page after the poll.
                logger.LogError(e, "Audit slice failed; retrying in {Poll}", poll);
            }
            try
            {
                await trigger.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
