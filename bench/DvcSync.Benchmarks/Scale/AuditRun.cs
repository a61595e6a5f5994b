using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// A full audit through the audit API, as an operator starts one: <c>IAuditHandler.RequestAsync</c> for the period and
/// the whole province, then <c>RunAsync</c> to the end.
/// <para>
/// The API (<c>DvcSync.Application.Audit</c>: <c>AuditRequest(DateOnly From, DateOnly To, string? Agency)</c>,
/// <c>IAuditHandler</c>, <c>AuditJob</c>) was being written on main when this was, so it is called by name: the benchmark
/// builds without it and runs the audit as soon as it is there. Once it is on main, this becomes three typed lines.
/// </para>
/// </summary>
internal static class AuditRun
{
    private const string Namespace = "DvcSync.Application.Audit";

    public static async Task<JsonObject> RunAsync(Pipeline pipeline, DateOnly from, DateOnly to)
    {
        var assembly = typeof(DvcSync.Application.Reconciliation.IReconcileHandler).Assembly;
        var handlerType = assembly.GetType(Namespace + ".IAuditHandler");
        var requestType = assembly.GetType(Namespace + ".AuditRequest");
        if (handlerType is null || requestType is null)
            throw new NotSupportedException($"The audit API ({Namespace}.IAuditHandler, AuditRequest) is not in this build of DvcSync.Application");

        var handler = pipeline.Services.GetRequiredService(handlerType);
        var request = Activator.CreateInstance(requestType, from, to, null)!;
        var requested = await CallAsync(handler, handlerType, "RequestAsync", request, CancellationToken.None)
                        ?? throw new InvalidOperationException("The audit was not recorded");
        var job = await CallAsync(handler, handlerType, "RunAsync", CancellationToken.None)
                  ?? throw new InvalidOperationException($"Audit {Read(requested, "Id")} did not run: no active audit, or its lease was held");

        var outcome = JsonSerializer.SerializeToNode(job, job.GetType(), ChildRun.Json)!.AsObject();
        if (Read(job, "Status") is not "finished")
            throw new InvalidOperationException($"Audit {Read(job, "Id")} ended {Read(job, "Status")}: {Read(job, "Error")}");
        return outcome;
    }

    /// <summary>Calls a method returning <c>Task&lt;T&gt;</c> and returns its result.</summary>
    private static async Task<object?> CallAsync(object target, Type type, string method, params object[] arguments)
    {
        var task = (Task)(type.GetMethod(method)?.Invoke(target, arguments)
                          ?? throw new NotSupportedException($"{type.Name}.{method} is not there"));
        await task;
        return task.GetType().GetProperty("Result")!.GetValue(task);
    }

    private static string? Read(object job, string property) => job.GetType().GetProperty(property)?.GetValue(job)?.ToString();
}
