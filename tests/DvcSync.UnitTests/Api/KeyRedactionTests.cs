using System.Collections.Concurrent;
using System.Diagnostics;
using DvcSync.Functions;
using DvcSync.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Instrumentation.AspNetCore;
using DvcSync.UnitTests.Infrastructure;

namespace DvcSync.UnitTests.Api;

/// <summary>
/// A key in the query string never reaches a log or a trace. The standalone host is tested end to end
/// (IntegrationTests/Observability/KeyRedactionTests); the Functions host cannot run here, so its real host is built and
/// the pieces that redact are checked where they are wired.
/// </summary>
public class KeyRedactionTests
{
    private const string Key = "a-real-looking-function-key-0123456789";

    [Theory]
    [InlineData("?from=2025-01-01&code=" + Key + "&to=2025-01-31", "?from=2025-01-01&code=REDACTED&to=2025-01-31")]
    [InlineData("?CODE=" + Key, "?code=REDACTED")]
    [InlineData("?%63ode=" + Key, "?code=REDACTED")]
    [InlineData("?co%64e=" + Key + "&limit=5", "?code=REDACTED&limit=5")]
    [InlineData("?%43%4F%44%45=" + Key, "?code=REDACTED")]
    [InlineData("?code+=" + Key, "?code=REDACTED")]
    [InlineData("?code=" + Key + "&code=" + Key, "?code=REDACTED&code=REDACTED")]
    [InlineData("?codes=1&mycode=2&agency=code", "?codes=1&mycode=2&agency=code")]
    [InlineData("", "")]
    public void Every_parameter_the_server_reads_as_code_is_redacted_and_nothing_else(string query, string redacted) =>
        Assert.Equal(redacted, KeyRedaction.Query(new QueryString(query.Length == 0 ? null : query)));

    [Fact]
    public void Our_request_line_carries_the_redacted_query()
    {
        var logger = new CapturingLogger();
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/api/health";
        context.Request.QueryString = new QueryString("?%63ode=" + Key);
        context.Response.StatusCode = 200;

        KeyRedaction.LogRequest(logger, context, TimeSpan.FromMilliseconds(3));

        var line = Assert.Single(logger.Lines);
        Assert.Equal("HTTP GET /api/health?code=REDACTED answered 200 in 3.0 ms", line);
    }

    [Fact]
    public void The_Functions_host_filters_the_framework_request_log_and_registers_its_own_redacted_line()
    {
        using var host = FunctionsApp.Build(RealHostTests.ValidArgs());
        var capture = new CapturingProvider();
        var factory = host.Services.GetRequiredService<ILoggerFactory>();
        factory.AddProvider(capture);

        foreach (var category in KeyRedaction.FrameworkRequestLogCategories)
        {
            factory.CreateLogger(category).LogInformation("Request starting HTTP/1.1 GET http://localhost/api/health?code={Key}", Key);
            factory.CreateLogger(category).LogWarning("a warning of {Category} still passes", category);
        }
        factory.CreateLogger<RequestLogMiddleware>().LogInformation("our own line passes");

        Assert.DoesNotContain(capture.Lines, l => l.Contains(Key, StringComparison.Ordinal));
        Assert.Equal(KeyRedaction.FrameworkRequestLogCategories.Count, capture.Lines.Count(l => l.Contains("still passes", StringComparison.Ordinal)));
        Assert.Contains("our own line passes", capture.Lines);
        Assert.NotNull(host.Services.GetService<RequestLogMiddleware>());
    }

    [Fact]
    public void The_Functions_host_traces_incoming_requests_with_the_query_redacted()
    {
        using var host = FunctionsApp.Build(RealHostTests.ValidArgs());
        var options = host.Services.GetRequiredService<IOptionsMonitor<AspNetCoreTraceInstrumentationOptions>>().Get(Options.DefaultName);
        Assert.NotNull(options.EnrichWithHttpRequest);

        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?from=2025-01-01&%63ode=" + Key);
        using var activity = new Activity("request");
        activity.SetTag("url.query", context.Request.QueryString.Value!.TrimStart('?'));
        options.EnrichWithHttpRequest!(activity, context.Request);

        Assert.Equal("from=2025-01-01&code=REDACTED", activity.GetTagItem("url.query"));
        Assert.DoesNotContain(activity.TagObjects, t => t.Value?.ToString()?.Contains(Key, StringComparison.Ordinal) == true);
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        private readonly CapturingLogger _logger = new();
        public IReadOnlyCollection<string> Lines => _logger.Lines;
        public ILogger CreateLogger(string categoryName) => _logger;
        public void Dispose() { }
    }

    private sealed class CapturingLogger : ILogger
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public IReadOnlyCollection<string> Lines => _lines.ToArray();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _lines.Enqueue(formatter(state, exception));
    }
}
