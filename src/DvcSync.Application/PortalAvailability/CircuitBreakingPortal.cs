using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;

namespace DvcSync.Application.PortalAvailability;

/// <summary>Sends nothing while the circuit is open, and reports every answer to it.</summary>
public sealed class CircuitBreakingPortal(INationalPortal inner, PortalCircuit circuit) : INationalPortal
{
    public Task<PortalLookupResult> LookUpAsync(string maHoSo, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.LookUpAsync(maHoSo, cancellationToken), r => (r.Kind, r.RetryAfter, r.Message),
            wait => new PortalLookupResult(PortalOutcomeKind.CircuitOpen, null, OpenMessage(wait), wait));

    public Task<PortalWriteResult> SyncDossiersAsync(IReadOnlyList<JsonObject> dossiers, bool isUpdating, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.SyncDossiersAsync(dossiers, isUpdating, cancellationToken), r => (r.Kind, r.RetryAfter, r.Message),
            wait => new PortalWriteResult(PortalOutcomeKind.CircuitOpen, OpenMessage(wait), [], wait));

    public Task<PortalWriteResult> AppendStepsAsync(IReadOnlyList<JsonObject> steps, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.AppendStepsAsync(steps, cancellationToken), r => (r.Kind, r.RetryAfter, r.Message),
            wait => new PortalWriteResult(PortalOutcomeKind.CircuitOpen, OpenMessage(wait), [], wait));

    public Task<ProcedureLookupResult> GetProcedureAsync(string maTthc, CancellationToken cancellationToken) =>
        GuardAsync(() => inner.GetProcedureAsync(maTthc, cancellationToken), r => (r.Kind, (TimeSpan?)null, r.Message),
            wait => new ProcedureLookupResult(PortalOutcomeKind.CircuitOpen, null, OpenMessage(wait)));

    private async Task<T> GuardAsync<T>(Func<Task<T>> call, Func<T, (PortalOutcomeKind Kind, TimeSpan? RetryAfter, string Message)> outcome, Func<TimeSpan, T> refused)
    {
        if (!circuit.TryEnter(out var wait)) return refused(wait);
        T result;
        try
        {
            result = await call();
        }
        catch
        {
            circuit.ReportNoAnswer();
            throw;
        }
        var (kind, retryAfter, message) = outcome(result);
        // Whoever is told of a refusal holds no dossier: only personal-looking shapes can be taken out of the words.
        if (kind == PortalOutcomeKind.ConfigurationError) circuit.ReportRefused(PersonalDataRedactor.ShapesOnly.Redact(message));
        // A 429 with Retry-After is the portal pacing us, which proves it is up; the rate gate honours the pause.
        else if (kind != PortalOutcomeKind.Transient || retryAfter is not null) circuit.ReportSuccess();
        else circuit.ReportFailure();
        return result;
    }

    private static string OpenMessage(TimeSpan wait) =>
        $"the national portal is taken to be down (circuit open); next probe in {Math.Ceiling(wait.TotalSeconds)} s";
}
