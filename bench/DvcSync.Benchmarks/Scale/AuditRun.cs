using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Application.Audit;
using DvcSync.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Benchmarks.Scale;

/// <summary>A full audit as an operator starts one: requested for the period and the whole province, then run to the end.</summary>
internal static class AuditRun
{
    public static async Task<JsonObject> RunAsync(Pipeline pipeline, DateOnly from, DateOnly to)
    {
        var handler = pipeline.Services.GetRequiredService<IAuditHandler>();
        var requested = await handler.RequestAsync(new AuditRequest(from, to, null), CancellationToken.None);
        var job = await handler.RunAsync(CancellationToken.None)
                  ?? throw new InvalidOperationException($"Audit {requested.Id} did not run: no active audit");
        if (job.Status != AuditStatus.Finished)
            throw new InvalidOperationException($"Audit {job.Id} ended {job.Status}: {job.Error}");
        return JsonSerializer.SerializeToNode(job, ChildRun.Json)!.AsObject();
    }
}
