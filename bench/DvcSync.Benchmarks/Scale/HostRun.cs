using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using DvcSync.Application.Telemetry;
using DvcSync.Standalone;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// The measured side of the lost-pushes benchmark: the standalone host as an operator runs it — Kestrel, the repair
/// queue's poller, the reconciliation timer on its shipped schedule, the audit runner — with only the connection
/// settings given, until the benchmark asks it to stop. Every <c>dvcsync.freshness</c> value it records is kept, so
/// the metric's own percentiles can be set beside the portal's.
/// </summary>
internal static class HostRun
{
    public static async Task<JsonObject> RunAsync(ChildSpec spec)
    {
        var values = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SyncTelemetry.MeterName && instrument.Name == "dvcsync.freshness") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (values) values.Add(value); });
        listener.Start();

        var settings = new Dictionary<string, string?>(spec.Settings, StringComparer.Ordinal) { ["urls"] = spec.HostUrl };
        var app = StandaloneApp.Build(settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray());
        await using (app)
        {
            await app.StartAsync();
            await File.WriteAllTextAsync(spec.ReadyFile!, "ready");
            while (!File.Exists(spec.StopFile!)) await Task.Delay(200);
            await app.StopAsync();
        }

        double[] sorted;
        lock (values) sorted = [.. values.Order()];
        return new JsonObject
        {
            ["freshnessCount"] = sorted.Length,
            ["freshnessP50"] = Percentile(sorted, 0.50),
            ["freshnessP95"] = Percentile(sorted, 0.95),
            ["freshnessMax"] = sorted.Length == 0 ? null : sorted[^1],
        };
    }

    /// <summary>Nearest rank; null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
