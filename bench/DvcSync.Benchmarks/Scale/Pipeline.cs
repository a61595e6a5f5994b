using DvcSync.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// The standalone host's composition (<see cref="StandaloneApp.Build"/>, the same services the sync host runs), built
/// with the given settings but not run: no Kestrel, no repair-queue poller, no timer. Only the background services that
/// are part of any handler's normal surroundings start — storage provisioning, the portal circuit reporter and
/// OpenTelemetry — so every portal call in a measured run is the handler's own.
/// </summary>
internal sealed class Pipeline : IAsyncDisposable
{
    private static readonly string[] Started = ["StorageProvisioner", "PortalCircuitReporter", "OpenTelemetry"];

    private readonly WebApplication _app;
    private readonly List<IHostedService> _started;

    private Pipeline(WebApplication app, List<IHostedService> started)
    {
        _app = app;
        _started = started;
    }

    public IServiceProvider Services => _app.Services;

    public T Get<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <param name="services">Changes to the host's services before it is built (the measured child's store timing).</param>
    public static async Task<Pipeline> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Logging:LogLevel:Default"] = "Warning",
            // The handlers' own progress lines (codes and counts only); the HTTP client's per-request lines stay off.
            ["Logging:LogLevel:DvcSync"] = "Information",
            ["Sync:ReconcileSchedule"] = "0 0 0 1 1 *",
        };
        foreach (var (key, value) in settings) all[key] = value;
        var app = StandaloneApp.Build(all.Select(kv => $"--{kv.Key}={kv.Value}").ToArray(),
            services is null ? null : builder => services(builder.Services));

        var started = new List<IHostedService>();
        foreach (var service in app.Services.GetServices<IHostedService>())
        {
            var name = service.GetType().FullName ?? "";
            if (!Started.Any(s => name.Contains(s, StringComparison.Ordinal))) continue;
            await service.StartAsync(CancellationToken.None);
            started.Add(service);
        }
        return new Pipeline(app, started);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Enumerable.Reverse(_started)) await service.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
