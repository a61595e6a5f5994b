using DvcSync.Application.Repair;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

public sealed class RepairFunction(IRepairHandler handler)
{
    // Exceptions propagate on purpose: the host then redelivers, and moves the message to -poison after five tries.
    [Function("Repair")]
    public Task Run([QueueTrigger("%Sync:RepairQueue%", Connection = "AzureWebJobsStorage")] string message, CancellationToken cancellationToken) =>
        handler.HandleMessageAsync(message, cancellationToken);
}
