using DvcSync.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.PortalAvailability;

/// <summary>
/// Writes the circuit's openings and closings, and the start of a refusal episode, where <c>/api/health</c> on any
/// instance reads them, and logs them: a refusal once per episode, as an error, since only an operator can end it.
/// </summary>
public sealed class PortalCircuitReporter(PortalCircuit circuit, IPipelineState state, ILogger<PortalCircuitReporter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        circuit.Changed += OnChanged;
        circuit.Refused += OnRefused;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        circuit.Changed -= OnChanged;
        circuit.Refused -= OnRefused;
        return Task.CompletedTask;
    }

    private void OnChanged(bool open, DateTimeOffset at)
    {
        if (open) logger.LogWarning("The national portal circuit opened: portal calls stop until the next probe");
        else logger.LogInformation("The national portal circuit closed: the portal answers again");
        _ = RecordAsync(open, at);
    }

    private void OnRefused(string problem, DateTimeOffset at)
    {
        logger.LogError("The national portal refuses this project's requests as malformed: {Problem}. Repairs are deferred without spending attempts and the reconciliation stops until a call succeeds", problem);
        _ = RecordAsync(() => state.RecordPortalRefusalAsync(problem, at, CancellationToken.None));
    }

    private Task RecordAsync(bool open, DateTimeOffset at) => RecordAsync(() => state.RecordPortalCircuitAsync(open, at, CancellationToken.None));

    private async Task RecordAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e)
        {
            // Health then shows the previous state until the next change; the log says why.
            logger.LogError(e, "The portal circuit state could not be recorded for health");
        }
    }
}
