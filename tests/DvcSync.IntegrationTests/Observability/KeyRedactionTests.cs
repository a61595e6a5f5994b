using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Reliability;
using Microsoft.Extensions.Logging;

namespace DvcSync.IntegrationTests.Observability;

/// <summary>
/// A key sent in the query string, spelt any way the server reads as <c>code</c>, authenticates and then appears in
/// no log line and no trace of the standalone host, even with the framework's logging at Debug.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class KeyRedactionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_key_in_the_query_reaches_no_log_and_no_trace()
    {
        var logs = new LogCapture();
        var tags = new ConcurrentQueue<string>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || source.Name.StartsWith("DvcSync", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                tags.Enqueue(activity.DisplayName);
                foreach (var tag in activity.TagObjects) tags.Enqueue($"{tag.Key}={tag.Value}");
            },
        };
        ActivitySource.AddActivityListener(activities);

        await using var env = await SyncEnvironment.StartAsync(azurite, ReliabilityScenario.Simulators(seed: 707, dossiers: 20),
            ReliabilityScenario.Settings(new() { ["Logging:LogLevel:Default"] = "Debug", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug" }),
            builder => builder.Logging.AddProvider(logs));

        foreach (var query in new[] { "code=", "%63ode=", "CO%44E=", "from=2025-01-01&to=2025-01-31&co%64e=" })
        {
            var route = query.StartsWith("from", StringComparison.Ordinal) ? "/api/indicators/sync-rate" : "/api/health";
            using var answer = await env.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, Raw(env, $"{route}?{query}{SyncEnvironment.ReadKey}")));
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{route}?{query}… answered {answer.StatusCode}");
        }
        using (var write = await env.Http.SendAsync(new HttpRequestMessage(HttpMethod.Delete, Raw(env, "/api/audits/current?%63ode=" + SyncEnvironment.AdminKey))))
            Assert.NotEqual(HttpStatusCode.Unauthorized, write.StatusCode);

        var lines = logs.Lines();
        Assert.Contains(lines, l => l.Contains("HTTP GET /api/health?code=REDACTED answered", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("HTTP DELETE /api/audits/current?code=REDACTED answered", StringComparison.Ordinal));
        Assert.Contains(tags, t => t == "url.query=code=REDACTED");
        Assert.Contains(tags, t => t == "url.query=from=2025-01-01&to=2025-01-31&code=REDACTED");
        foreach (var key in new[] { SyncEnvironment.ReadKey, SyncEnvironment.AdminKey })
        {
            var leaks = lines.Concat(tags).Where(text => text.Contains(key, StringComparison.Ordinal)).Take(3).ToList();
            Assert.True(leaks.Count == 0, "a key in telemetry:\n" + string.Join("\n", leaks));
        }
    }

    /// <summary>The URL exactly as written: <see cref="Uri"/> would otherwise decode <c>%63</c> to <c>c</c> before sending.</summary>
    private static Uri Raw(SyncEnvironment env, string pathAndQuery) =>
        new(env.BaseUrl.TrimEnd('/') + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
}
