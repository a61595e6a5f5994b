using System.Diagnostics;
using System.Text.Json.Nodes;
using DvcSync.Application.Configuration;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Core.Validation;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Repair;

public enum RepairOutcome
{
    /// <summary>The portal acknowledged the dossier and its steps.</summary>
    Synced,
    /// <summary>The ledger already vouched for this version: a duplicate or late message, nothing sent.</summary>
    AlreadyCurrent,
    /// <summary>Refused by the portal or by the same checks made beforehand; needs a correction at the source.</summary>
    Rejected,
    /// <summary>Failed for now; a new message will try again later.</summary>
    RetryScheduled,
    /// <summary>Failed for longer than the give-up time.</summary>
    Abandoned,
    /// <summary>Not tried: the portal is down (circuit open); queued again for after the next probe.</summary>
    Deferred,
}

/// <summary>
/// Brings one dossier's portal copy up to date from a fresh read of the source: insert or update (switching on "-3"
/// and "-4", since a time-out may have hidden an earlier success), then its processing steps. A refusal ends as
/// <c>rejected</c> in the portal's words; a transient failure is retried on the core's schedule by a new message,
/// and anything unexpected is thrown to the host so the message is redelivered, never dropped.
/// </summary>
public interface IRepairHandler
{
    Task<RepairOutcome> HandleAsync(RepairRequest request, CancellationToken cancellationToken);

    /// <summary>Takes a message as the queue delivers it; a message that is not a repair request throws, to end in the poison queue.</summary>
    Task<RepairOutcome> HandleMessageAsync(string message, CancellationToken cancellationToken) =>
        HandleAsync(RepairMessageCodec.Decode(message), cancellationToken);
}

public sealed class RepairHandler(
    IProvincialSystem provincial,
    INationalPortal portal,
    ISyncLedger ledger,
    IRepairQueue repairQueue,
    ProcedureCatalogue catalogue,
    SyncOptions options,
    TimeProvider clock,
    ILogger<RepairHandler> logger) : IRepairHandler
{
    public static readonly ActivitySource Activity = new("DvcSync.Repair");
    private const int MaxStepsPerCall = 10;

    public async Task<RepairOutcome> HandleAsync(RepairRequest request, CancellationToken cancellationToken)
    {
        using var activity = Activity.StartActivity("repair");
        activity?.SetTag("dvcsync.mahoso", request.MaHoSo);

        var entry = await ledger.GetAsync(request.MaDonVi, request.MaHoSo, cancellationToken);
        SourceDossier? source;
        try
        {
            source = await provincial.GetDossierAsync(request.MaHoSo, cancellationToken);
        }
        catch (ExternalSystemUnavailableException e)
        {
            return await RetryLaterAsync(request, entry, null, "provincial system: " + e.Reason, e.RetryAfter, cancellationToken);
        }

        var now = clock.GetUtcNow();
        if (source is null)
        {
            if (entry is null) return RepairOutcome.Rejected;
            await SaveAsync(entry, entry.Rejected("The provincial system no longer knows this dossier", entry.PortalHolds, now), cancellationToken);
            return RepairOutcome.Rejected;
        }

        if (!request.Force && entry is { State: SyncState.Synced } && entry.PhienBan >= source.PhienBan)
        {
            logger.LogDebug("Repair of {MaHoSo} skipped: already confirmed at version {PhienBan}", request.MaHoSo, entry.PhienBan);
            return RepairOutcome.AlreadyCurrent;
        }

        var current = (entry ?? LedgerEntry.For(source, now)).AtVersionOf(source, now);

        var problems = PortalPreValidator.Validate(source.Dossier, now);
        if (problems.Count == 0 && source.Dossier.MaTTHC.Length > 0)
        {
            var known = await catalogue.IsKnownAsync(source.Dossier.MaTTHC, cancellationToken);
            problems = PortalPreValidator.Validate(source.Dossier, now, _ => known);
        }
        if (problems.Count > 0)
        {
            await SaveAsync(entry, current.Rejected("Dữ liệu không hợp lệ: " + string.Join("; ", problems), current.PortalHolds, now), cancellationToken);
            logger.LogWarning("Repair of {MaHoSo} rejected before sending: {ProblemCount} data problems", request.MaHoSo, problems.Count);
            return RepairOutcome.Rejected;
        }

        var write = await WriteDossierAsync(source.ToPortalPayload(), current.PortalHolds, cancellationToken);
        now = clock.GetUtcNow();
        switch (write.Result.Kind)
        {
            case PortalOutcomeKind.Accepted:
                break;
            case PortalOutcomeKind.CircuitOpen:
                return await DeferAsync(request, entry, current, write.Result.RetryAfter, cancellationToken);
            case PortalOutcomeKind.InvalidData or PortalOutcomeKind.FinalStateConflict:
                var reason = ReasonFor(request.MaHoSo, write.Result);
                // A final-state conflict means the portal holds the dossier; invalid data on an update means so too.
                var holds = write.Result.Kind == PortalOutcomeKind.FinalStateConflict || write.WasUpdate || current.PortalHolds;
                await SaveAsync(entry, current.Rejected(reason, holds, now), cancellationToken);
                logger.LogWarning("Repair of {MaHoSo} rejected by the portal: {Reason}", request.MaHoSo, reason);
                return RepairOutcome.Rejected;
            default:
                var heldNow = current.PortalHolds || write.WasUpdate && write.Result.Kind != PortalOutcomeKind.NotFound;
                return await RetryLaterAsync(request, entry, current with { PortalHolds = heldNow }, "portal: " + write.Result.Message, write.Result.RetryAfter, cancellationToken);
        }

        // The dossier is on the portal from here on, whatever happens to its steps.
        var synced = current.Confirmed(now);
        var stepsFailure = await SendStepsAsync(request.MaHoSo, cancellationToken);
        if (stepsFailure is { CircuitOpen: true })
            return await DeferAsync(request, entry, current with { PortalHolds = true }, stepsFailure.RetryAfter, cancellationToken);
        if (stepsFailure is { Transient: true })
            return await RetryLaterAsync(request, entry, current with { PortalHolds = true }, "portal (steps): " + stepsFailure.Message, stepsFailure.RetryAfter, cancellationToken);
        if (stepsFailure is not null)
        {
            synced = synced with { LastError = "progress steps refused: " + stepsFailure.Message };
            logger.LogWarning("Steps of {MaHoSo} refused by the portal; the dossier itself is synced", request.MaHoSo);
        }

        await SaveAsync(entry, synced, cancellationToken);
        logger.LogInformation("Repair of {MaHoSo} synced at version {PhienBan}", request.MaHoSo, source.PhienBan);
        return RepairOutcome.Synced;
    }

    private sealed record WriteResult(PortalWriteResult Result, bool WasUpdate);

    private async Task<WriteResult> WriteDossierAsync(JsonObject payload, bool portalHolds, CancellationToken cancellationToken)
    {
        var isUpdating = portalHolds;
        // At most one switch each way: insert → "-3" → update → "-4" → insert would otherwise loop forever on a portal
        // that contradicts itself.
        for (var switches = 0; ; switches++)
        {
            var result = await portal.SyncDossiersAsync([payload], isUpdating, cancellationToken);
            var wrongMode = result.Kind == PortalOutcomeKind.AlreadyExists && !isUpdating
                || result.Kind == PortalOutcomeKind.NotFound && isUpdating;
            if (!wrongMode || switches >= 2)
                return new WriteResult(wrongMode ? result with { Kind = PortalOutcomeKind.Transient } : result, isUpdating);
            isUpdating = !isUpdating;
        }
    }

    private sealed record StepsFailure(bool Transient, string Message, TimeSpan? RetryAfter, bool CircuitOpen = false);

    private async Task<StepsFailure?> SendStepsAsync(string maHoSo, CancellationToken cancellationToken)
    {
        IReadOnlyList<JsonObject> steps;
        try
        {
            steps = await provincial.GetStepsAsync(maHoSo, cancellationToken);
        }
        catch (ExternalSystemUnavailableException e)
        {
            return new StepsFailure(true, "provincial system: " + e.Reason, e.RetryAfter);
        }

        foreach (var chunk in steps.Chunk(MaxStepsPerCall))
        {
            var result = await portal.AppendStepsAsync(chunk, cancellationToken);
            if (result.Kind == PortalOutcomeKind.Accepted) continue;
            var transient = result.Kind is PortalOutcomeKind.Transient or PortalOutcomeKind.NotFound or PortalOutcomeKind.CircuitOpen;
            return new StepsFailure(transient, result.Message, result.RetryAfter, result.Kind == PortalOutcomeKind.CircuitOpen);
        }
        return null;
    }

    private async Task<RepairOutcome> RetryLaterAsync(RepairRequest request, LedgerEntry? stored, LedgerEntry? current, string error, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var basis = current ?? stored;
        if (basis is null)
        {
            // Nothing known about the dossier yet (the source could not be read): keep the message alive without a ledger row.
            var delay = DelayFor(request.Attempt + 1, retryAfter);
            await repairQueue.EnqueueAsync(request with { Attempt = request.Attempt + 1, Reason = error }, delay, cancellationToken);
            return RepairOutcome.RetryScheduled;
        }

        if (basis.FailingSince is { } since && options.Retry.ShouldGiveUp(since, now))
        {
            await SaveAsync(stored, basis.Abandoned(error, now), cancellationToken);
            logger.LogError("Repair of {MaHoSo} abandoned after {Attempts} attempts since {Since:o}: {Error}", request.MaHoSo, basis.Attempts + 1, since, error);
            return RepairOutcome.Abandoned;
        }

        var wait = DelayFor(basis.Attempts + 1, retryAfter);
        // Ledger first, then the message: if the enqueue fails the exception redelivers this message; if the process
        // dies in between, the reconciliation's sweep finds the overdue entry.
        await SaveAsync(stored, basis.RetryScheduled(error, now + wait, now), cancellationToken);
        await repairQueue.EnqueueAsync(request with { Attempt = basis.Attempts + 1, Reason = error }, wait, CancellationToken.None); // the ledger already says it is coming
        logger.LogInformation("Repair of {MaHoSo} failed ({Error}); attempt {Attempt} in {Delay}", request.MaHoSo, error, basis.Attempts + 2, wait);
        return RepairOutcome.RetryScheduled;
    }

    /// <summary>
    /// The portal is down: put the repair back until the circuit's next probe, spread so the queue does not return
    /// all at once, without counting an attempt or moving the give-up clock — an outage is not the dossier's fault.
    /// </summary>
    private async Task<RepairOutcome> DeferAsync(RepairRequest request, LedgerEntry? stored, LedgerEntry current, TimeSpan? untilProbe, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var wait = (untilProbe ?? TimeSpan.FromSeconds(30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 30_000));
        var deferred = current with
        {
            State = current.State == SyncState.Synced ? SyncState.Pending : current.State,
            NextAttemptAt = now + wait,
            LastError = "deferred: the national portal is unavailable (circuit open)",
            UpdatedAt = now,
        };
        await SaveAsync(stored, deferred, cancellationToken);
        await repairQueue.EnqueueAsync(request with { Reason = "deferred: portal unavailable" }, wait, CancellationToken.None); // the ledger already says it is coming
        logger.LogInformation("Repair of {MaHoSo} deferred for {Delay}: the portal circuit is open", request.MaHoSo, wait);
        return RepairOutcome.Deferred;
    }

    private TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        var delay = options.Retry.DelayFor(attempt, Random.Shared.NextDouble());
        return retryAfter is { } floor && floor > delay ? floor : delay;
    }

    private Task SaveAsync(LedgerEntry? stored, LedgerEntry next, CancellationToken cancellationToken) =>
        // A conflict is thrown on purpose: the message is redelivered and decided again on fresh data.
        ledger.SaveAsync(stored, next, cancellationToken);

    private static string ReasonFor(string maHoSo, PortalWriteResult result)
    {
        var own = result.Errors.Where(e => e.MaHoSo == maHoSo).Select(e => e.Message).ToList();
        return own.Count > 0 ? string.Join("; ", own) : result.Message;
    }
}
