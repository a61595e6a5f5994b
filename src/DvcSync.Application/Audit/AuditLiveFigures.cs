using System.Diagnostics;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Audit;

/// <summary>
/// The job with this slice's counters, as an operator watching <c>/api/health</c> sees it between checkpoints: Done and
/// the cursor move only at page checkpoints (a resume starts from the last one); what is checked on pages still in
/// flight shows as InFlight meanwhile, and the pace as the slice's portal call rate and time left.
/// </summary>
internal sealed class AuditLiveFigures(CheckCounters counters, AuditProgress progress, TimeProvider clock)
{
    private readonly Stopwatch _slice = Stopwatch.StartNew();

    public AuditJob Of(AuditJob at)
    {
        var elapsed = _slice.Elapsed.TotalSeconds;
        var completed = Interlocked.Read(ref counters.Completed);
        var inFlight = Math.Max(0, completed - (at.Done - progress.Base.Done));
        var donePerSecond = elapsed > 0 ? completed / elapsed : 0;
        var total = Math.Max(at.Total, at.Done + inFlight);
        return at with
        {
            Total = total,
            InFlight = inFlight,
            CallRate = elapsed > 0 ? Interlocked.Read(ref counters.Lookups) / elapsed : 0,
            SecondsLeft = donePerSecond > 0 ? Math.Max(0, total - at.Done - inFlight) / donePerSecond : null,
            PortalLookups = progress.Base.PortalLookups + Interlocked.Read(ref counters.Lookups),
            Mismatches = progress.Base.Mismatches + Interlocked.Read(ref counters.Mismatches),
            RepairsQueued = progress.Base.RepairsQueued + Interlocked.Read(ref counters.Queued),
            UpdatedAt = clock.GetUtcNow(),
        };
    }
}
