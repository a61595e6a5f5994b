using DvcSync.Application.Audit;
using DvcSync.Application.Configuration;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

/// <summary>
/// Runs the active audit one slice at a time: each tick works until the slice budget (inside the host's
/// functionTimeout) and checkpoints; the next tick resumes from that page. A tick with no audit costs one table read.
/// </summary>
public sealed class AuditFunction(IAuditHandler handler, SyncOptions options)
{
    [Function("Audit")]
    public Task Run([TimerTrigger("%Sync:AuditSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        handler.RunSliceAsync(options.AuditSlice, cancellationToken);
}
