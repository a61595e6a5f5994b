using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;

namespace DvcSync.Application.PortalAvailability;

/// <summary>
/// Keeps the portal's last success and failure in the pipeline state, where <c>/api/health</c> reads it — on Azure the
/// health function runs on other instances than the repairs. Writes are throttled: one a half-minute, or at once when
/// the portal goes from answering to failing or back. (The calls' counts and durations are the client's metrics.)
/// </summary>
public sealed class PortalAvailabilityRecorder(INationalPortal inner, IPipelineState state, TimeProvider clock) : INationalPortal
{
    private static readonly TimeSpan WriteInterval = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();
    private bool? _lastSucceeded;
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;

    public async Task<PortalLookupResult> LookUpAsync(string maHoSo, CancellationToken cancellationToken)
    {
        var result = await inner.LookUpAsync(maHoSo, cancellationToken);
        await ObserveAsync(result.Kind, result.Summary, cancellationToken);
        return result;
    }

    public async Task<PortalWriteResult> SyncDossiersAsync(IReadOnlyList<JsonObject> dossiers, bool isUpdating, CancellationToken cancellationToken)
    {
        var result = await inner.SyncDossiersAsync(dossiers, isUpdating, cancellationToken);
        await ObserveAsync(result.Kind, result.Summary, cancellationToken);
        return result;
    }

    public async Task<PortalWriteResult> AppendStepsAsync(IReadOnlyList<JsonObject> steps, CancellationToken cancellationToken)
    {
        var result = await inner.AppendStepsAsync(steps, cancellationToken);
        await ObserveAsync(result.Kind, result.Summary, cancellationToken);
        return result;
    }

    public async Task<ProcedureLookupResult> GetProcedureAsync(string maTthc, CancellationToken cancellationToken)
    {
        var result = await inner.GetProcedureAsync(maTthc, cancellationToken);
        await ObserveAsync(result.Kind, result.Summary, cancellationToken);
        return result;
    }

    /// <param name="summary">The client's account of a failure, without the portal's words: no dossier is at hand to
    /// remove its applicant from them, and health shows this to anyone with a read key.</param>
    private async Task ObserveAsync(PortalOutcomeKind kind, string summary, CancellationToken cancellationToken)
    {
        // Any answer the portal understood, refusals included, shows it is up.
        if (kind == PortalOutcomeKind.CircuitOpen) return; // never reached the portal
        var succeeded = kind is not (PortalOutcomeKind.Transient or PortalOutcomeKind.ConfigurationError);
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (_lastSucceeded == succeeded && now - _lastWrite < WriteInterval) return;
            _lastSucceeded = succeeded;
            _lastWrite = now;
        }
        await state.RecordPortalCallAsync(succeeded, succeeded ? null : PersonalDataRedactor.ShapesOnly.Redact(summary), now, cancellationToken);
    }
}
