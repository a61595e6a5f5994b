using DvcSync.Functions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using DvcSync.UnitTests.Infrastructure;

namespace DvcSync.UnitTests.Functions;

/// <summary>
/// host.json runs the Functions host in OpenTelemetry mode. In that mode the host drops the logs it relays for a worker
/// that declares the WorkerOpenTelemetryEnabled capability (it expects the worker to export them), so the worker must
/// declare it — or each line would reach Application Insights twice — and export its logs itself
/// (<see cref="TelemetryCredentialTests"/>: a log exporter beside the trace and metric ones).
/// </summary>
public class TelemetryModeTests
{
    [Fact]
    public void The_worker_tells_the_host_that_it_exports_its_own_telemetry()
    {
        using var host = FunctionsApp.Build(RealHostTests.ValidArgs());
        var capabilities = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities;
        Assert.True(capabilities.TryGetValue("WorkerOpenTelemetryEnabled", out var enabled), "the worker does not declare WorkerOpenTelemetryEnabled");
        Assert.True(bool.Parse(enabled!));
    }
}
