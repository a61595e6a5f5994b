using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace DvcSync.Api;

/// <summary>
/// A key may ride in the query string (<c>?code=</c>, as the Functions host accepts it), so whatever records a request
/// on either host — the framework's request log, our own request line, a trace's <c>url.query</c> — goes through
/// here. A parameter is recognised by its name as the server reads it, decoded and in any case: <c>?%63ode=</c> and
/// <c>?CODE=</c> authenticate as well as <c>?code=</c>.
/// </summary>
public static class KeyRedaction
{
    public const string KeyParameter = "code";
    public const string Redacted = "REDACTED";

    /// <summary>The framework categories that write a request's full URL (and so its key) into the log.</summary>
    public static readonly IReadOnlyList<string> FrameworkRequestLogCategories =
    [
        "Microsoft.AspNetCore.Hosting.Diagnostics",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
    ];

    /// <returns>The query with every key value replaced, with its leading '?'; "" when there is none.</returns>
    public static string Query(QueryString query)
    {
        if (!query.HasValue || query.Value == "?") return "";
        var parts = query.Value!.TrimStart('?').Split('&');
        for (var i = 0; i < parts.Length; i++)
            if (IsKeyParameter(parts[i])) parts[i] = KeyParameter + "=" + Redacted;
        return "?" + string.Join('&', parts);
    }

    private static bool IsKeyParameter(string part)
    {
        var equals = part.IndexOf('=');
        var name = equals < 0 ? part : part[..equals];
        // As ASP.NET Core decodes a name: '+' is a space, then percent-escapes.
        var decoded = Uri.UnescapeDataString(name.Replace('+', ' '));
        return string.Equals(decoded.Trim(), KeyParameter, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Only warnings and errors of the framework's request logging: its lines below that carry the full URL.</summary>
    public static ILoggingBuilder FilterFrameworkRequestLogs(this ILoggingBuilder logging)
    {
        foreach (var category in FrameworkRequestLogCategories) logging.AddFilter(category, LogLevel.Warning);
        return logging;
    }

    /// <summary>Incoming requests in traces, with the query recorded redacted.</summary>
    public static TracerProviderBuilder AddRedactedAspNetCoreInstrumentation(this TracerProviderBuilder tracing) =>
        tracing.AddAspNetCoreInstrumentation(http =>
            http.EnrichWithHttpRequest = (activity, request) =>
            {
                if (request.QueryString.HasValue) activity.SetTag("url.query", Query(request.QueryString).TrimStart('?'));
            });

    /// <summary>Our one line per request, in place of the framework's, with the key replaced.</summary>
    public static void LogRequest(ILogger logger, HttpContext context, TimeSpan elapsed) =>
        logger.LogInformation("HTTP {Method} {Path}{Query} answered {Status} in {Elapsed:0.0} ms",
            context.Request.Method, context.Request.Path, Query(context.Request.QueryString), context.Response.StatusCode, elapsed.TotalMilliseconds);
}
