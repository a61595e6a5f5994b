using DvcSync.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.PortalAvailability;

/// <summary>Writes the circuit's openings and closings where <c>/api/health</c> on any instance reads them, and logs them.</summary>
public sealed class PortalCircuitReporter(PortalCircuit circuit, IPipelineState state, ILogger<PortalCircuitReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        circuit.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        circuit.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(bool open, DateTimeOffset at)
    {
        if (open) logger.LogWarning("The national portal circuit opened: portal calls stop until the next probe");
        else logger.LogInformation("The national portal circuit closed: the portal answers again");
        _ = RecordAsync(open, at);
    }

    private async Task RecordAsync(bool open, DateTimeOffset at)
    {
        try
        {
            await state.RecordPortalCircuitAsync(open, at, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Health then shows the previous state until the next change; the log says why.
            logger.LogError(e, "The portal circuit state could not be recorded for health");
        }
    }
}
