using System.Text.Json.Nodes;

namespace DvcSync.Benchmarks.Scale;

/// <summary>A full audit through the audit API. Written once the API is on main.</summary>
internal static class AuditRun
{
    public static Task<JsonObject> RunAsync(Pipeline pipeline, DateOnly from, DateOnly to) =>
        throw new NotSupportedException("The audit API is not on this branch yet");
}
