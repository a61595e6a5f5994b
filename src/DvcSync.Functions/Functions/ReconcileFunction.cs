using DvcSync.Application.Configuration;
using DvcSync.Application.Reconciliation;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

/// <summary>
/// Runs the reconciliation in slices: each tick takes new pages for the budget (inside the host's functionTimeout, which
/// would otherwise kill a first run of hours before its sweeps), then checkpoints, sweeps and saves its progress; the
/// next tick resumes from the watermark.
/// </summary>
public sealed class ReconcileFunction(IReconcileHandler handler, SyncOptions options)
{
    // The platform makes a timer trigger a singleton across instances; the handler's lease covers the standalone host.
    [Function("Reconcile")]
    public Task Run([TimerTrigger("%Sync:ReconcileSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        handler.RunSliceAsync(options.ReconcileSlice ?? SyncOptions.DefaultReconcileSlice, cancellationToken);
}
