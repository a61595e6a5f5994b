using System.Diagnostics;
using DvcSync.Api;

namespace DvcSync.Standalone.Hosting;

/// <summary>One line per request, with any key in the query replaced (<see cref="KeyRedaction"/>), so keys never reach a log.</summary>
public sealed class RedactingRequestLog(RequestDelegate next, ILogger<RedactingRequestLog> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            KeyRedaction.LogRequest(logger, context, Stopwatch.GetElapsedTime(started));
        }
    }
}
