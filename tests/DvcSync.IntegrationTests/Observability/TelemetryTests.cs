using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.Application.Telemetry;
using DvcSync.Core.Dossiers;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Reliability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DvcSync.IntegrationTests.Observability;

/// <summary>
/// A full run, watched the way an operator's telemetry would watch it: every log line (at Debug), every trace tag and
/// every metric. Citizens' personal data must appear in none; the metrics the alerts read must be there.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task No_personal_data_reaches_logs_or_traces_and_the_alerting_metrics_are_emitted()
    {
        var logs = new LogCapture();
        var tags = new ConcurrentBag<string>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("DvcSync", StringComparison.Ordinal) || source.Name.StartsWith("System.Net.Http", StringComparison.Ordinal)
                                       || source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                tags.Add(activity.DisplayName);
                foreach (var tag in activity.TagObjects) tags.Add($"{tag.Key}={tag.Value}");
                foreach (var e in activity.Events) tags.Add(e.Name);
            },
        };
        ActivitySource.AddActivityListener(activities);
        // Other test collections run hosts of their own meanwhile: a measurement is told apart by its host's meter factory.
        var measurements = new ConcurrentQueue<(object? Host, string Instrument, double Value, string Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SyncTelemetry.MeterName) listener.EnableMeasurementEvents(instrument);
            },
        };
        meters.SetMeasurementEventCallback<long>((i, v, t, _) => measurements.Enqueue((i.Meter.Scope, i.Name, v, string.Join(",", t.ToArray().Select(x => $"{x.Key}={x.Value}")))));
        meters.SetMeasurementEventCallback<double>((i, v, t, _) => measurements.Enqueue((i.Meter.Scope, i.Name, v, string.Join(",", t.ToArray().Select(x => $"{x.Key}={x.Value}")))));
        meters.Start();

        // "This month" must hold received dossiers for the sync-rate gauge to have a figure: the host and the
        // simulators run from 20 December 2025, three weeks into the month, on whatever day the test runs.
        var clock = new ShiftedClock(new DateTimeOffset(2025, 12, 20, 12, 0, 0, TimeSpan.FromHours(7)));
        var simulators = ReliabilityScenario.Simulators(seed: 606, dossiers: 250);
        simulators.TimeProvider = clock;
        simulators.ScenarioNow = clock.GetUtcNow();
        await using var env = await SyncEnvironment.StartAsync(azurite, simulators,
            ReliabilityScenario.Settings(new() { ["Logging:LogLevel:Default"] = "Debug", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug" }),
            builder => builder.Logging.AddProvider(logs));
        env.Simulators.PortalFaults.Update(f => f with { ServerErrorRate = 0.1 });

        await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(2));
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(2));
        using (await env.Http.SendAsync(env.Get("/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&code=" + SyncEnvironment.ReadKey))) { }
        await env.ReconcileAsync();
        meters.RecordObservableInstruments();

        // Every personal value of every seeded dossier, as the provincial system holds it.
        var personal = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in env.Simulators.Provincial.Codes())
        {
            var dossier = env.Simulators.Provincial.GetDossier(code)!;
            foreach (var field in Dossier.PersonalDataFields)
                if (dossier[field] is { } value) Collect(value, personal);
        }
        Assert.True(personal.Count > 200, $"only {personal.Count} personal values seeded");

        var lines = logs.Lines();
        Assert.True(lines.Count > 100, $"only {lines.Count} log lines captured");
        Assert.Contains(lines, l => l.Contains("synced at version", StringComparison.Ordinal));
        var leaks = lines.Concat(tags).SelectMany(text => personal.Where(p => text.Contains(p, StringComparison.Ordinal)).Select(p => $"'{p}' in: {text}")).Take(5).ToList();
        Assert.True(leaks.Count == 0, "personal data in telemetry:\n" + string.Join("\n", leaks));
        Assert.DoesNotContain(lines.Concat(tags), text => text.Contains(SyncEnvironment.ReadKey, StringComparison.Ordinal));
        Assert.DoesNotContain(lines.Concat(tags), text => text.Contains(env.Simulators.Credentials.PortalPassword, StringComparison.Ordinal));

        var host = env.App.Services.GetRequiredService<IMeterFactory>();
        var ours = measurements.Where(m => ReferenceEquals(m.Host, host)).ToList();
        var names = ours.Select(m => m.Instrument).ToHashSet();
        foreach (var name in new[] { "dvcsync.repairs", "dvcsync.reconcile.runs", "dvcsync.portal.calls", "dvcsync.portal.call.duration", "dvcsync.sync_rate", "dvcsync.queue.depth", "dvcsync.poison_messages", "dvcsync.freshness" })
            Assert.Contains(name, names);
        Assert.All(ours.Where(m => m.Instrument == "dvcsync.freshness"), m => Assert.True(m.Value >= 0, $"freshness {m.Value}"));
        Assert.All(ours.Where(m => m.Instrument == "dvcsync.freshness"), m => Assert.Equal("", m.Tags));

        // After the repairs, health shows how fresh the portal is, naming no dossier and no one.
        using var healthAnswer = await env.Http.SendAsync(env.Get("/api/health?code=" + SyncEnvironment.ReadKey));
        var healthText = await healthAnswer.Content.ReadAsStringAsync();
        var freshness = System.Text.Json.Nodes.JsonNode.Parse(healthText)!["freshness"]!;
        Assert.Equal(ours.Count(m => m.Instrument == "dvcsync.freshness"), freshness["count"]!.GetValue<long>());
        Assert.True(freshness["p95Seconds"]!.GetValue<double>() >= freshness["p50Seconds"]!.GetValue<double>());
        Assert.True(freshness["maxSeconds"]!.GetValue<double>() >= freshness["p95Seconds"]!.GetValue<double>());
        Assert.DoesNotContain(personal, p => healthText.Contains(p, StringComparison.Ordinal));
        Assert.DoesNotContain(env.Simulators.Provincial.Codes(), code => healthText.Contains(code, StringComparison.Ordinal));
        Assert.Contains(ours, m => m.Instrument == "dvcsync.repairs" && m.Tags.Contains("outcome=synced"));
        Assert.Contains(ours, m => m.Instrument == "dvcsync.reconcile.runs" && m.Tags.Contains("result=finished"));
        Assert.All(ours.Where(m => m.Instrument == "dvcsync.sync_rate"), m => Assert.InRange(m.Value, 0, 1));
        Assert.Contains(tags, t => t.StartsWith("dvcsync.portal_lookups=", StringComparison.Ordinal));

        // The gauge is the month's figure as the API gives it...
        var month = await SyncRateAsync(env, "2025-12-01", VnTime.Day(clock.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.True(month["received"]!.GetValue<long>() > 0, "nothing received this month: " + month.ToJsonString());
        Assert.Equal(month["rate"]!.GetValue<double>(), ours.Last(m => m.Instrument == "dvcsync.sync_rate").Value, 9);

        // ...and a month with nothing received has no figure: the gauge is silent rather than 0 or last month's rate.
        clock.Advance(TimeSpan.FromDays(62));
        await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(1));
        measurements.Clear();
        meters.RecordObservableInstruments();
        ours = measurements.Where(m => ReferenceEquals(m.Host, host)).ToList();
        Assert.Contains(ours, m => m.Instrument == "dvcsync.queue.depth");
        Assert.DoesNotContain(ours, m => m.Instrument == "dvcsync.sync_rate");
    }

    private static async Task<JsonObject> SyncRateAsync(SyncEnvironment env, string from, string to)
    {
        using var answer = await env.Http.SendAsync(env.Get($"/api/indicators/sync-rate?from={from}&to={to}"));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    private static void Collect(JsonNode node, HashSet<string> into)
    {
        switch (node)
        {
            case JsonValue value when value.ToString() is { Length: >= 6 } text:
                into.Add(text);
                break;
            case JsonArray array:
                foreach (var item in array) if (item is not null) Collect(item, into);
                break;
            case JsonObject obj:
                foreach (var (_, item) in obj) if (item is not null) Collect(item, into);
                break;
        }
    }

    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();
        public IReadOnlyList<string> Lines() => _lines.ToList();
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);
        public void Dispose() { }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {properties} | {exception}");
            }
        }
    }
}
