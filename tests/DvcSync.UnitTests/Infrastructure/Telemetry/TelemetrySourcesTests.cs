using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using DvcSync.Functions;
using DvcSync.Standalone;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace DvcSync.UnitTests.Infrastructure.Telemetry;

/// <summary>
/// A trace reaches Application Insights or a collector only from a source the tracer provider was told of: every
/// <see cref="ActivitySource"/> any of the project's assemblies creates must be exported by both hosts.
/// </summary>
public class TelemetrySourcesTests
{
    public static TheoryData<string> Hosts() => ["functions", "standalone"];

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Every_activity_source_the_code_creates_is_exported(string which)
    {
        var sources = SourcesOfTheProject();
        Assert.Contains(sources, s => s.Name == "DvcSync.Audit");

        var args = RealHostTests.ValidArgs();
        using IHost host = which == "functions" ? FunctionsApp.Build(args) : StandaloneApp.Build(args);
        var exported = new Recorder();
        host.Services.GetRequiredService<TracerProvider>().AddProcessor(exported);

        var probe = "probe-" + Guid.NewGuid().ToString("N");
        foreach (var source in sources)
            source.StartActivity(probe)?.Dispose();

        var missing = sources.Select(s => s.Name).Where(name => !exported.Ended.Contains((name, probe))).ToList();
        Assert.True(missing.Count == 0, "not exported: " + string.Join(", ", missing));
    }

    /// <summary>Every static <see cref="ActivitySource"/> field of the project's shipped assemblies.</summary>
    private static List<ActivitySource> SourcesOfTheProject()
    {
        Assembly[] assemblies =
        [
            typeof(DvcSync.Core.Dossiers.Dossier).Assembly,
            typeof(DvcSync.Application.Reconciliation.ReconcileHandler).Assembly,
            typeof(DvcSync.Infrastructure.SyncServiceCollectionExtensions).Assembly,
            typeof(FunctionsApp).Assembly,
            typeof(StandaloneApp).Assembly,
        ];
        const BindingFlags statics = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var sources = assemblies.SelectMany(a => a.GetTypes())
            .Where(t => !t.ContainsGenericParameters)
            .SelectMany(t => t.GetFields(statics))
            .Where(f => f.FieldType == typeof(ActivitySource))
            .Select(f => (ActivitySource)f.GetValue(null)!)
            .ToList();
        Assert.NotEmpty(sources);
        return sources;
    }

    private sealed class Recorder : BaseProcessor<Activity>
    {
        public ConcurrentBag<(string Source, string Name)> Ended { get; } = [];

        public override void OnEnd(Activity data) => Ended.Add((data.Source.Name, data.DisplayName));
    }
}
