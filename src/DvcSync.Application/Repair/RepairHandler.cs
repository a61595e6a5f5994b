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
    /// <summary>
    /// Not tried, or refused as malformed (a configuration error, not the dossier's): the portal is down or refusing
    /// (circuit open); queued again for after the next probe, without spending an attempt.
    /// </summary>
    Deferred,
    /// <summary>
    /// While it ran, the ledger came to speak for a newer version or to hold this one as synced: its conclusion is
    /// moot and was not recorded (whoever moved the entry on is handling the dossier).
    /// </summary>
    Superseded,
}

/// <summary>
/// Brings one dossier's portal copy up to date from a fresh read of the source: insert or update (switching on "-3"
/// and "-4", since a time-out may have hidden an earlier success), then its processing steps. A refusal ends as
/// <c>rejected</c> in the portal's words; a transient failure is retried on the core's schedule by a new message;
/// a ledger entry that moved on meanwhile gets the same conclusion again, read afresh, rather than costing a delivery;
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

    /// <summary>Saves of one conclusion before a conflict is thrown to the host (the message then comes back).</summary>
    public const int MaxSaveAttempts = 5;

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
            return await RetryLaterAsync(request, null, entry, null, "provincial system: " + PersonalDataRedactor.ShapesOnly.Redact(e.Reason), e.RetryAfter, cancellationToken);
        }

        var now = clock.GetUtcNow();
        if (source is null)
        {
            if (entry is null) return RepairOutcome.Rejected;
            var gone = await RecordAsync(request, null, entry, e => e.Rejected("The provincial system no longer knows this dossier", e.PortalHolds, now), cancellationToken);
            return gone is null ? RepairOutcome.Superseded : RepairOutcome.Rejected;
        }

        if (!request.Force && entry is { State: SyncState.Synced } && entry.PhienBan >= source.PhienBan)
        {
            logger.LogDebug("Repair of {MaHoSo} skipped: already confirmed at version {PhienBan}", request.MaHoSo, entry.PhienBan);
            return RepairOutcome.AlreadyCurrent;
        }

        var current = Basis(entry, source, now);
        // The portal's words may quote the applicant: this dossier's personal values go before they are kept or logged.
        var redactor = PersonalDataRedactor.For(source.Dossier);

        var problems = PortalPreValidator.Validate(source.Dossier, now);
        if (problems.Count == 0 && source.Dossier.MaTTHC.Length > 0)
        {
            var known = await catalogue.IsKnownAsync(source.Dossier.MaTTHC, cancellationToken);
            problems = PortalPreValidator.Validate(source.Dossier, now, _ => known);
        }
        if (problems.Count > 0)
        {
            var reason = "Dữ liệu không hợp lệ: " + string.Join("; ", problems);
            if (await RecordAsync(request, source, entry, e => e.Rejected(reason, e.PortalHolds, now), cancellationToken) is null) return RepairOutcome.Superseded;
            logger.LogWarning("Repair of {MaHoSo} rejected before sending: {ProblemCount} data problems", request.MaHoSo, problems.Count);
            return RepairOutcome.Rejected;
        }

        var write = await WriteDossierAsync(source.ToPortalPayload(), current.PortalHolds, cancellationToken);
        now = clock.GetUtcNow();
        switch (write.Result.Kind)
        {
            case PortalOutcomeKind.Accepted:
                break;
            case PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError:
                return await DeferAsync(request, source, entry, null, write.Result.Kind, write.Result.RetryAfter, cancellationToken);
            case PortalOutcomeKind.InvalidData or PortalOutcomeKind.FinalStateConflict:
                var reason = redactor.Redact(ReasonFor(request.MaHoSo, write.Result));
                // A final-state conflict means the portal holds the dossier; invalid data on an update means so too.
                var held = write.Result.Kind == PortalOutcomeKind.FinalStateConflict || write.WasUpdate;
                if (await RecordAsync(request, source, entry, e => e.Rejected(reason, held || e.PortalHolds, now), cancellationToken) is null)
                    return RepairOutcome.Superseded;
                logger.LogWarning("Repair of {MaHoSo} rejected by the portal: {Reason}", request.MaHoSo, reason);
                return RepairOutcome.Rejected;
            default:
                var heldNow = write.WasUpdate && write.Result.Kind != PortalOutcomeKind.NotFound;
                return await RetryLaterAsync(request, source, entry, e => e with { PortalHolds = e.PortalHolds || heldNow },
                    "portal: " + redactor.Redact(write.Result.Message), write.Result.RetryAfter, cancellationToken);
        }

        // The dossier is on the portal from here on, whatever happens to its steps.
        var stepsFailure = await SendStepsAsync(request.MaHoSo, cancellationToken);
        if (stepsFailure is { Deferred: { } why })
            return await DeferAsync(request, source, entry, e => e with { PortalHolds = true, PortalCopyLacksReceptionDate = false, PortalFacts = e.SourceFacts }, why, stepsFailure.RetryAfter, cancellationToken);
        if (stepsFailure is { Transient: true })
            return await RetryLaterAsync(request, source, entry, e => e with { PortalHolds = true, PortalCopyLacksReceptionDate = false, PortalFacts = e.SourceFacts },
                "portal (steps): " + redactor.Redact(stepsFailure.Message), stepsFailure.RetryAfter, cancellationToken);
        string? stepsRefused = null;
        if (stepsFailure is not null)
        {
            stepsRefused = "progress steps refused: " + redactor.Redact(stepsFailure.Message);
            logger.LogWarning("Steps of {MaHoSo} refused by the portal; the dossier itself is synced", request.MaHoSo);
        }

        now = clock.GetUtcNow();
        if (await RecordAsync(request, source, entry, e => e.Confirmed(now) with { LastError = stepsRefused }, cancellationToken) is null)
            return RepairOutcome.Superseded;
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

    /// <param name="Deferred">The portal is down or refusing requests as malformed: wait, without spending an attempt.</param>
    private sealed record StepsFailure(bool Transient, string Message, TimeSpan? RetryAfter, PortalOutcomeKind? Deferred = null);

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

        foreach (var chunk in steps.Chunk(PortalServices.MaxStepsPerCall))
        {
            var result = await portal.AppendStepsAsync(chunk, cancellationToken);
            if (result.Kind == PortalOutcomeKind.Accepted) continue;
            var deferred = result.Kind is PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError ? result.Kind : (PortalOutcomeKind?)null;
            var transient = deferred is not null || result.Kind is PortalOutcomeKind.Transient or PortalOutcomeKind.NotFound;
            return new StepsFailure(transient, result.Message, result.RetryAfter, deferred);
        }
        return null;
    }

    /// <param name="adjust">What this attempt learnt about the entry (that the portal holds the dossier, say), applied
    /// before the retry is scheduled, to the stored entry as it is when the save goes through.</param>
    private async Task<RepairOutcome> RetryLaterAsync(RepairRequest request, SourceDossier? source, LedgerEntry? stored, Func<LedgerEntry, LedgerEntry>? adjust,
        string error, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (source is null && stored is null)
        {
            // Nothing known about the dossier yet (the source could not be read): keep the message alive without a ledger row.
            var delay = DelayFor(request.Attempt + 1, retryAfter);
            await repairQueue.EnqueueAsync(request with { Attempt = request.Attempt + 1, Reason = RepairReason.Retry }, delay, cancellationToken);
            return RepairOutcome.RetryScheduled;
        }

        var wait = TimeSpan.Zero;
        // Ledger first, then the message: if the enqueue fails the exception redelivers this message; if the process
        // dies in between, the reconciliation's sweep finds the overdue entry.
        var saved = await RecordAsync(request, source, stored, e =>
        {
            e = adjust?.Invoke(e) ?? e;
            if (e.FailingSince is { } since && options.Retry.ShouldGiveUp(since, now)) return e.Abandoned(error, now);
            wait = DelayFor(e.Attempts + 1, retryAfter);
            return e.RetryScheduled(error, now + wait, now);
        }, cancellationToken);
        if (saved is null) return RepairOutcome.Superseded;

        if (saved.State == SyncState.Abandoned)
        {
            logger.LogError("Repair of {MaHoSo} abandoned after {Attempts} attempts since {Since:o}: {Error}", request.MaHoSo, saved.Attempts, saved.FailingSince, error);
            return RepairOutcome.Abandoned;
        }
        await repairQueue.EnqueueAsync(request with { Attempt = saved.Attempts, Reason = RepairReason.Retry }, wait, CancellationToken.None); // the ledger already says it is coming
        logger.LogInformation("Repair of {MaHoSo} failed ({Error}); attempt {Attempt} in {Delay}", request.MaHoSo, error, saved.Attempts + 1, wait);
        return RepairOutcome.RetryScheduled;
    }

    /// <summary>
    /// The portal is down, or refuses the project's requests as malformed: put the repair back until the circuit's next
    /// probe, spread so the queue does not return all at once, without counting an attempt or moving the give-up clock —
    /// neither an outage nor a configuration error is the dossier's fault.
    /// </summary>
    private async Task<RepairOutcome> DeferAsync(RepairRequest request, SourceDossier source, LedgerEntry? stored, Func<LedgerEntry, LedgerEntry>? adjust,
        PortalOutcomeKind why, TimeSpan? untilProbe, CancellationToken cancellationToken)
    {
        var reason = why == PortalOutcomeKind.ConfigurationError
            ? "deferred: the national portal refuses this project's requests as malformed (HTTP 400); an operator must check NationalPortal:DstCode and NationalPortal:MaDonVi"
            : "deferred: the national portal is unavailable (circuit open)";
        var now = clock.GetUtcNow();
        var wait = (untilProbe ?? TimeSpan.FromSeconds(30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 30_000));
        var saved = await RecordAsync(request, source, stored, e =>
        {
            e = adjust?.Invoke(e) ?? e;
            return e with
            {
                State = e.State == SyncState.Synced ? SyncState.Pending : e.State,
                NextAttemptAt = now + wait,
                LastError = reason,
                UpdatedAt = now,
            };
        }, cancellationToken);
        if (saved is null) return RepairOutcome.Superseded;
        await repairQueue.EnqueueAsync(request with { Reason = RepairReason.Deferred }, wait, CancellationToken.None); // the ledger already says it is coming
        logger.LogInformation("Repair of {MaHoSo} deferred for {Delay}: {Reason}", request.MaHoSo, wait, reason);
        return RepairOutcome.Deferred;
    }

    private TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        var delay = options.Retry.DelayFor(attempt, Random.Shared.NextDouble());
        return retryAfter is { } floor && floor > delay ? floor : delay;
    }

    /// <summary>The entry as this repair speaks of it: the stored one, or a new one, moved to the source's version.</summary>
    private static LedgerEntry Basis(LedgerEntry? stored, SourceDossier source, DateTimeOffset now) =>
        (stored ?? LedgerEntry.For(source, now)).AtVersionOf(source, now);

    /// <summary>
    /// Records this repair's conclusion. When the entry moved on since it was read (a reconciliation's verdict, a
    /// resync, another delivery of the same message), the entry is read again and the same conclusion applied to
    /// it — nothing is sent to the portal again because a save conflicted — a few times with jitter, then the
    /// conflict is thrown so the message comes back. Null when the stored entry came to speak for a newer version
    /// or holds this one as synced: the conclusion is moot.
    /// </summary>
    private async Task<LedgerEntry?> RecordAsync(RepairRequest request, SourceDossier? source, LedgerEntry? stored,
        Func<LedgerEntry, LedgerEntry> conclusion, CancellationToken cancellationToken)
    {
        var version = source?.PhienBan ?? stored?.PhienBan ?? request.PhienBan;
        for (var attempt = 1; ; attempt++)
        {
            var basis = source is null ? stored : Basis(stored, source, clock.GetUtcNow());
            if (basis is null) return null;
            var result = await ledger.TrySaveAsync(new LedgerChange(stored, conclusion(basis)), cancellationToken);
            if (result.Saved is { } saved) return saved;
            if (attempt == MaxSaveAttempts) throw new LedgerConflictException(request.MaHoSo);

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 50) * attempt), cancellationToken);
            stored = await ledger.GetAsync(request.MaDonVi, request.MaHoSo, cancellationToken);
            if (stored is not null && (stored.PhienBan > version || stored.State == SyncState.Synced && stored.PhienBan >= version))
            {
                logger.LogInformation("Repair of {MaHoSo}: the ledger moved on to version {PhienBan} ({State}) meanwhile; this repair's conclusion is moot",
                    request.MaHoSo, stored.PhienBan, stored.State);
                return null;
            }
        }
    }

    private static string ReasonFor(string maHoSo, PortalWriteResult result)
    {
        var own = result.Errors.Where(e => e.MaHoSo == maHoSo).Select(e => e.Message).ToList();
        return own.Count > 0 ? string.Join("; ", own) : result.Message;
    }
}
