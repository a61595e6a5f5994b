using System.Diagnostics;
using DvcSync.Api;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace DvcSync.Functions;

/// <summary>
/// The Functions app's one line per HTTP request, with any key in the query replaced (<see cref="KeyRedaction"/>):
/// the framework's own request log, which prints the full URL, is filtered out.
/// </summary>
internal sealed class RequestLogMiddleware(ILogger<RequestLogMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public static bool IsHttpTrigger(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(binding => binding.Type == "httpTrigger");

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var http = context.GetHttpContext();
        if (http is not null)
        {
            var started = Stopwatch.GetTimestamp();
            // The ASP.NET Core integration writes the function's result after the worker pipeline returns, so the
            // status is known only once the response has completed.
            http.Response.OnCompleted(() =>
            {
                KeyRedaction.LogRequest(logger, http, Stopwatch.GetElapsedTime(started));
                return Task.CompletedTask;
            });
        }
        await next(context);
    }
}
