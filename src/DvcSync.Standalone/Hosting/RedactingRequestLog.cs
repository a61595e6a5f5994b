using System.Diagnostics;

namespace DvcSync.Standalone.Hosting;

/// <summary>One line per request, with any <c>code</c> query value (a key) replaced, so keys never reach a log.</summary>
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
            logger.LogInformation("HTTP {Method} {Path}{Query} answered {Status} in {Elapsed:0.0} ms",
                context.Request.Method, context.Request.Path, Redact(context.Request.QueryString), context.Response.StatusCode,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public static string Redact(QueryString query)
    {
        if (!query.HasValue) return "";
        var parts = query.Value!.TrimStart('?').Split('&')
            .Select(p => p.StartsWith("code=", StringComparison.OrdinalIgnoreCase) ? "code=REDACTED" : p);
        return "?" + string.Join('&', parts);
    }
}
