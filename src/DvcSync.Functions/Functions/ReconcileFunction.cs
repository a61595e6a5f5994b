using DvcSync.Application.Reconciliation;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

public sealed class ReconcileFunction(IReconcileHandler handler)
{
    // The platform makes a timer trigger a singleton across instances; the handler's lease covers the standalone host.
    [Function("Reconcile")]
    public Task Run([TimerTrigger("%Sync:ReconcileSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        handler.RunAsync(cancellationToken);
}
