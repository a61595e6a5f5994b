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
/// Brings dossiers' portal copies up to date from a fresh read of the source, a batch at a time: inserts and updates
/// grouped into <c>DongBoHoSoMC</c> calls of up to <c>Sync:RepairBatchSize</c> dossiers (<see cref="RepairBatchPlanner"/>
/// sorts out "-3", "-4" and refusals of single dossiers), then the steps of all of them in shared
/// <c>CapNhatTienDoHoSoMC</c> calls. Every dossier keeps its own conclusion: a refusal ends as <c>rejected</c> in the
/// portal's words; a transient failure is retried on the core's schedule, on the dossier's own attempt count, by a new
/// message; a ledger entry that moved on meanwhile gets the same conclusion again, read afresh, rather than costing a
/// delivery; and anything unexpected is thrown to the host so the message is redelivered, never dropped.
/// </summary>
public interface IRepairHandler
{
    Task<IReadOnlyList<RepairOutcome>> HandleBatchAsync(IReadOnlyList<RepairRequest> requests, CancellationToken cancellationToken);

    async Task<RepairOutcome> HandleAsync(RepairRequest request, CancellationToken cancellationToken) =>
        (await HandleBatchAsync([request], cancellationToken))[0];

    /// <summary>Takes a message as the queue delivers it (one request or a batch); one that is not a repair request throws, to end in the poison queue.</summary>
    Task<IReadOnlyList<RepairOutcome>> HandleMessageAsync(string message, CancellationToken cancellationToken) =>
        HandleBatchAsync(RepairMessageCodec.DecodeBatch(message), cancellationToken);
}

public sealed partial class RepairHandler(
    IProvincialSystem provincial,
    INationalPortal portal,
    ISyncLedger ledger,
    IRepairQueue repairQueue,
    ProcedureCatalogue catalogue,
    SyncOptions options,
    TimeProvider clock,
    ILogger<RepairHandler> logger,
    Telemetry.FreshnessWindow? freshness = null) : IRepairHandler
{
    public static readonly ActivitySource Activity = new("DvcSync.Repair");

    /// <summary>Saves of one conclusion before a conflict is thrown to the host (the message then comes back).</summary>
    public const int MaxSaveAttempts = 5;

    /// <summary>Dossiers of a batch read from the source, or concluded in the ledger, at once.</summary>
    private const int DossiersAtOnce = 8;

    /// <summary>A dossier read and checked, to be sent.</summary>
    private sealed record Ready(RepairRequest Request, LedgerEntry? Entry, SourceDossier Source, LedgerEntry Current);

    public async Task<RepairOutcome> HandleAsync(RepairRequest request, CancellationToken cancellationToken) =>
        (await HandleBatchAsync([request], cancellationToken))[0];

    public async Task<IReadOnlyList<RepairOutcome>> HandleBatchAsync(IReadOnlyList<RepairRequest> requests, CancellationToken cancellationToken)
    {
        using var activity = Activity.StartActivity("repair");
        activity?.SetTag("dvcsync.dossiers", requests.Count);
        var outcomes = new RepairOutcome[requests.Count];
        var ready = new Ready?[requests.Count];
        // A dossier named twice is repaired once, for its newest request; the other request is spoken for.
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var k = 0; k < requests.Count; k++)
        {
            if (first.TryGetValue(requests[k].MaHoSo, out var seen))
            {
                outcomes[k] = RepairOutcome.AlreadyCurrent;
                if (requests[k].PhienBan > requests[seen].PhienBan || requests[k].Force) (outcomes[seen], first[requests[k].MaHoSo]) = (RepairOutcome.AlreadyCurrent, k);
                continue;
            }
            first[requests[k].MaHoSo] = k;
        }

        var followUps = new FollowUps();
        await Parallel.ForEachAsync(first.Values, Parallelism(cancellationToken), async (k, token) =>
        {
            var (done, item) = await PrepareAsync(requests[k], followUps, token);
            outcomes[k] = done;
            ready[k] = item;
        });
        var toSend = ready.OfType<Ready>().ToList();
        if (toSend.Count == 0)
        {
            await followUps.SendAsync(repairQueue, options.RepairBatchSize);
            return outcomes;
        }

        var writes = await WriteDossiersAsync(toSend, cancellationToken);
        var accepted = toSend.Where(r => writes[r.Request.MaHoSo].Result.Kind == PortalOutcomeKind.Accepted).Select(r => r.Request.MaHoSo).ToList();
        // Steps up to the version the portal was last confirmed to hold are on it already; a forced resync sends them all.
        var sentUpTo = toSend.ToDictionary(r => r.Request.MaHoSo, r => r.Request.Force ? null : r.Entry?.StepsSentUpTo, StringComparer.Ordinal);
        var stepsFailures = await SendStepsAsync(accepted, sentUpTo, cancellationToken);

        // The portal answers a shared call in words that may quote any dossier of it, so each dossier's error is cleaned of
        // the personal values of all of them; built only if some answer is an error.
        var redactor = new Lazy<PersonalDataRedactor>(() => PersonalDataRedactor.For(toSend.Select(r => r.Source.Dossier.Fields)));
        var index = first.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var conclusions = toSend.Select(item => Conclude(item, writes[item.Request.MaHoSo], stepsFailures.GetValueOrDefault(item.Request.MaHoSo), redactor, followUps)).ToList();

        // The batch's conclusions are saved together: the store writes an agency's entries in one transaction, its
        // counter rows (day counts, month roll-ups, scorecard rows — shared by every dossier of the agency) once. Saved
        // one by one, eight dossiers of each of eight messages in parallel raced on the same few rows until a save ran
        // out of retries and its whole message failed. An entry that moved on meanwhile is read again and given the
        // same conclusion on its own (RecordAsync), as before.
        var now = clock.GetUtcNow();
        var saves = await ledger.SaveManyAsync(
            toSend.Select((item, k) => new LedgerChange(item.Entry, conclusions[k].Apply(Basis(item.Entry, item.Source, now)))).ToList(), cancellationToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, toSend.Count), Parallelism(cancellationToken), async (k, token) =>
        {
            var item = toSend[k];
            var saved = await RecordAsync(item.Request, item.Source, item.Entry, conclusions[k].Apply, token, saves[k]);
            outcomes[index[item.Request.MaHoSo]] = conclusions[k].Then(saved);
        });
        await followUps.SendAsync(repairQueue, options.RepairBatchSize);
        return outcomes;
    }

    private static ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = DossiersAtOnce, CancellationToken = cancellationToken };

    /// <summary>Reads the dossier and checks it: a conclusion already (nothing to send), or the dossier ready to send.</summary>
    private async Task<(RepairOutcome Done, Ready? Item)> PrepareAsync(RepairRequest request, FollowUps followUps, CancellationToken cancellationToken)
    {
        var entry = await ledger.GetAsync(request.MaDonVi, request.MaHoSo, cancellationToken);
        SourceDossier? source;
        try
        {
            source = await provincial.GetDossierAsync(request.MaHoSo, cancellationToken);
        }
        catch (ExternalSystemUnavailableException e)
        {
            return (await RetryLaterAsync(request, null, entry, null, "provincial system: " + PersonalDataRedactor.ShapesOnly.Redact(e.Reason), e.RetryAfter, followUps, cancellationToken), null);
        }

        if (source is not null && source.MaDonVi.Length > 0 && !string.Equals(source.MaDonVi, request.MaDonVi, StringComparison.Ordinal))
        {
            // Transferred to another unit since the message was queued: the dossier is repaired where it is now, so the
            // old agency's entry is never brought back (the first save under the new agency retires it, if nothing has).
            logger.LogInformation("Repair of {MaHoSo}: the dossier is now under {MaDonVi}, not {Queued}; repaired there", request.MaHoSo, source.MaDonVi, request.MaDonVi);
            request = request with { MaDonVi = source.MaDonVi };
            entry = await ledger.GetAsync(request.MaDonVi, request.MaHoSo, cancellationToken);
        }

        var now = clock.GetUtcNow();
        if (source is null)
        {
            if (entry is null) return (RepairOutcome.Rejected, null);
            var gone = await RecordAsync(request, null, entry, e => e.Rejected("The provincial system no longer knows this dossier", e.PortalHolds, now), cancellationToken);
            return (gone is null ? RepairOutcome.Superseded : RepairOutcome.Rejected, null);
        }

        if (!request.Force && entry is { State: SyncState.Synced } && entry.PhienBan >= source.PhienBan)
        {
            logger.LogDebug("Repair of {MaHoSo} skipped: already confirmed at version {PhienBan}", request.MaHoSo, entry.PhienBan);
            return (RepairOutcome.AlreadyCurrent, null);
        }

        var problems = PortalPreValidator.Validate(source.Dossier, now);
        if (problems.Count == 0 && source.Dossier.MaTTHC.Length > 0)
        {
            var known = await catalogue.IsKnownAsync(source.Dossier.MaTTHC, cancellationToken);
            problems = PortalPreValidator.Validate(source.Dossier, now, _ => known);
        }
        if (problems.Count > 0)
        {
            var reason = "Dữ liệu không hợp lệ: " + string.Join("; ", problems);
            if (await RecordAsync(request, source, entry, e => e.Rejected(reason, e.PortalHolds, now), cancellationToken) is null) return (RepairOutcome.Superseded, null);
            logger.LogWarning("Repair of {MaHoSo} rejected before sending: {ProblemCount} data problems", request.MaHoSo, problems.Count);
            return (RepairOutcome.Rejected, null);
        }
        return (default, new Ready(request, entry, source, Basis(entry, source, now)));
    }

    /// <summary>The <c>DongBoHoSoMC</c> calls of the batch, as the planner asks for them, to each dossier's outcome.</summary>
    private async Task<IReadOnlyDictionary<string, DossierWriteOutcome>> WriteDossiersAsync(List<Ready> items, CancellationToken cancellationToken)
    {
        var payloads = items.ToDictionary(r => r.Request.MaHoSo, r => r.Source.ToPortalPayload(), StringComparer.Ordinal);
        var planner = new RepairBatchPlanner(items.Select(r => (r.Request.MaHoSo, r.Current.PortalHolds)), options.RepairBatchSize);
        while (planner.Next() is { } call)
        {
            var result = await portal.SyncDossiersAsync(call.MaHoSo.Select(c => payloads[c]).ToList(), call.IsUpdating, cancellationToken);
            planner.Record(call, result);
        }
        return planner.Outcomes;
    }

    /// <summary>
    /// One dossier's conclusion from its write's outcome and its steps': what it makes of the ledger entry, and what
    /// follows once that is saved (or found moot).
    /// </summary>
    private Conclusion Conclude(Ready item, DossierWriteOutcome write, StepsFailure? stepsFailure, Lazy<PersonalDataRedactor> batchRedactor,
        FollowUps followUps)
    {
        var request = item.Request;
        var now = clock.GetUtcNow();
        switch (write.Result.Kind)
        {
            case PortalOutcomeKind.Accepted:
                break;
            case PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError:
                return Defer(request, null, write.Result.Kind, write.Result.RetryAfter, followUps);
            case PortalOutcomeKind.InvalidData or PortalOutcomeKind.FinalStateConflict:
                var reason = batchRedactor.Value.Redact(ReasonFor(request.MaHoSo, write.Result));
                // A final-state conflict means the portal holds the dossier; invalid data on an update means so too.
                var held = write.Result.Kind == PortalOutcomeKind.FinalStateConflict || write.WasUpdate;
                return new Conclusion(e => e.Rejected(reason, held || e.PortalHolds, now), saved =>
                {
                    if (saved is null) return RepairOutcome.Superseded;
                    logger.LogWarning("Repair of {MaHoSo} rejected by the portal: {Reason}", request.MaHoSo, reason);
                    return RepairOutcome.Rejected;
                });
            default:
                var heldNow = write.WasUpdate && write.Result.Kind != PortalOutcomeKind.NotFound;
                return RetryLater(request, e => e with { PortalHolds = e.PortalHolds || heldNow },
                    "portal: " + batchRedactor.Value.Redact(write.Result.Message), write.Result.RetryAfter, followUps);
        }

        // The dossier is on the portal from here on, whatever happens to its steps.
        if (stepsFailure is { Deferred: { } why })
            return Defer(request, e => e with { PortalHolds = true, PortalCopyLacksReceptionDate = false, PortalFacts = e.SourceFacts }, why, stepsFailure.RetryAfter, followUps);
        if (stepsFailure is { Transient: true })
            return RetryLater(request, e => e with { PortalHolds = true, PortalCopyLacksReceptionDate = false, PortalFacts = e.SourceFacts },
                "portal (steps): " + batchRedactor.Value.Redact(stepsFailure.Message), stepsFailure.RetryAfter, followUps);
        string? stepsRefused = null;
        if (stepsFailure is not null)
        {
            stepsRefused = "progress steps refused: " + batchRedactor.Value.Redact(stepsFailure.Message);
            logger.LogWarning("Steps of {MaHoSo} refused by the portal; the dossier itself is synced", request.MaHoSo);
        }

        return new Conclusion(e => e.Confirmed(now) with { LastError = stepsRefused }, saved =>
        {
            if (saved is null) return RepairOutcome.Superseded;
            // An acknowledged write is a confirmation: the portal holds this version since now.
            freshness?.Confirmed(item.Source.NgayCapNhat, now);
            logger.LogInformation("Repair of {MaHoSo} synced at version {PhienBan}", request.MaHoSo, item.Source.PhienBan);
            return RepairOutcome.Synced;
        });
    }

    /// <summary>A step timed before the change of the version the portal was confirmed to hold (the same second is sent again).</summary>
    private static bool SentBefore(JsonObject step, DateTimeOffset mark) =>
        Dossier.ReadDate(step, "ThoiDiemXuLy", []).At is { } at && at < mark;

    /// <param name="Deferred">The portal is down or refusing requests as malformed: wait, without spending an attempt.</param>
    private sealed record StepsFailure(bool Transient, string Message, TimeSpan? RetryAfter, PortalOutcomeKind? Deferred = null);

    /// <summary>
    /// The steps of every dossier written, in shared <c>CapNhatTienDoHoSoMC</c> calls of up to ten, each dossier's in
    /// the source's order; a failed call is the failure of every dossier with a step in it. Once the portal is taken
    /// to be down, the calls left are not made: their dossiers are deferred too. Of a dossier whose earlier version the
    /// portal was confirmed to hold, only the steps from that version's change time on are sent (a step is identified by
    /// its MaHoSo, ThoiDiemXuLy and TrangThai, so one sent again is harmless; one without a readable time is sent).
    /// </summary>
    private async Task<Dictionary<string, StepsFailure>> SendStepsAsync(IReadOnlyList<string> written, IReadOnlyDictionary<string, DateTimeOffset?> sentUpTo,
        CancellationToken cancellationToken)
    {
        var failures = new Dictionary<string, StepsFailure>(StringComparer.Ordinal);
        var steps = new (string MaHoSo, IReadOnlyList<JsonObject> Steps)[written.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, written.Count), Parallelism(cancellationToken), async (k, token) =>
        {
            try
            {
                var all = await provincial.GetStepsAsync(written[k], token);
                steps[k] = (written[k], sentUpTo.GetValueOrDefault(written[k]) is { } mark ? all.Where(step => !SentBefore(step, mark)).ToList() : all);
            }
            catch (ExternalSystemUnavailableException e)
            {
                steps[k] = (written[k], []);
                lock (failures) failures[written[k]] = new StepsFailure(true, "provincial system: " + e.Reason, e.RetryAfter);
            }
        });

        StepsFailure? down = null;
        foreach (var chunk in steps.SelectMany(s => s.Steps.Select(step => (s.MaHoSo, Step: step))).Chunk(PortalServices.MaxStepsPerCall))
        {
            var failure = down;
            if (failure is null)
            {
                var result = await portal.AppendStepsAsync(chunk.Select(c => c.Step).ToList(), cancellationToken);
                if (result.Kind == PortalOutcomeKind.Accepted) continue;
                var deferred = result.Kind is PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError ? result.Kind : (PortalOutcomeKind?)null;
                var transient = deferred is not null || result.Kind is PortalOutcomeKind.Transient or PortalOutcomeKind.NotFound;
                failure = new StepsFailure(transient, result.Message, result.RetryAfter, deferred);
                if (deferred is not null) down = failure;
                if (!transient && chunk.DistinctBy(c => c.MaHoSo).Count() > 1)
                {
                    // Refused atomically for one dossier's step: each dossier's steps go again alone, to find whose.
                    foreach (var own in chunk.GroupBy(c => c.MaHoSo, StringComparer.Ordinal))
                    {
                        var alone = await portal.AppendStepsAsync(own.Select(c => c.Step).ToList(), cancellationToken);
                        if (alone.Kind != PortalOutcomeKind.Accepted)
                            failures.TryAdd(own.Key, new StepsFailure(alone.Kind is not (PortalOutcomeKind.InvalidData or PortalOutcomeKind.FinalStateConflict), alone.Message, alone.RetryAfter,
                                alone.Kind is PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError ? alone.Kind : null));
                    }
                    continue;
                }
            }
            foreach (var maHoSo in chunk.Select(c => c.MaHoSo).Distinct(StringComparer.Ordinal))
                failures.TryAdd(maHoSo, failure);
        }
        return failures;
    }
}
