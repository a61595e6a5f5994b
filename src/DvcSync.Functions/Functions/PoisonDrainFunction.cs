using DvcSync.Application.Repair;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

public sealed class PoisonDrainFunction(IPoisonDrainHandler handler)
{
    // The platform moves a message here after five failed deliveries; recording it as abandoned keeps it visible.
    [Function("PoisonDrain")]
    public Task Run([QueueTrigger("%Sync:RepairQueue%-poison", Connection = "AzureWebJobsStorage")] string message, string id, CancellationToken cancellationToken) =>
        handler.HandleMessageAsync(message, id, cancellationToken);
}
