using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Repair;

/// <summary>How a repair records its conclusions: the ledger first, then any message that must follow.</summary>
public sealed partial class RepairHandler
{
    /// <summary>
    /// A conclusion to record: what it makes of the ledger entry (applied again, to the entry as it is then, if the
    /// save conflicts), and what follows the save — given the saved entry, or null when the conclusion was moot — as an
    /// outcome; a message it asks for joins the batch's <see cref="FollowUps"/>, sent once every conclusion is saved.
    /// </summary>
    private sealed record Conclusion(Func<LedgerEntry, LedgerEntry> Apply, Func<LedgerEntry?, RepairOutcome> Then);

    /// <summary>
    /// The retries and deferrals a message's conclusions ask for, sent once all of them are saved, as batch messages.
    /// After an outage every dossier of a batch is deferred or retried at once; queued one per message, the backlog that
    /// follows would be repaired one dossier per call. A message groups requests of one reason and attempt (an agency's
    /// side by side) and waits as long as the longest of its dossiers' waits, so none comes back before its own backoff.
    /// </summary>
    private sealed class FollowUps
    {
        private readonly List<(RepairRequest Request, TimeSpan Wait)> _requests = [];

        public void Add(RepairRequest request, TimeSpan wait)
        {
            lock (_requests) _requests.Add((request, wait));
        }

        /// <remarks>Not cancellable: the ledger already says these dossiers are coming.</remarks>
        public async Task SendAsync(IRepairQueue queue, int batchSize)
        {
            var groups = _requests.GroupBy(r => (r.Request.Reason, r.Request.Attempt))
                .SelectMany(g => g.InMessagesByAgency(r => r.Request, batchSize));
            foreach (var chunk in groups)
            {
                await queue.EnqueueMessageAsync(chunk.Select(r => r.Request).ToList(), chunk.Max(r => r.Wait), CancellationToken.None);
            }
        }
    }

    private async Task<RepairOutcome> RetryLaterAsync(RepairRequest request, SourceDossier? source, LedgerEntry? stored, Func<LedgerEntry, LedgerEntry>? adjust,
        string error, TimeSpan? retryAfter, FollowUps followUps, CancellationToken cancellationToken)
    {
        if (source is null && stored is null)
        {
            // Nothing known about the dossier yet (the source could not be read): keep the message alive without a ledger row.
            var delay = DelayFor(request.Attempt + 1, retryAfter);
            followUps.Add(request with { Attempt = request.Attempt + 1, Reason = RepairReason.Retry }, delay);
            return RepairOutcome.RetryScheduled;
        }
        var retry = RetryLater(request, adjust, error, retryAfter, followUps);
        return retry.Then(await RecordAsync(request, source, stored, retry.Apply, cancellationToken));
    }

    /// <param name="adjust">What this attempt learnt about the entry (that the portal holds the dossier, say), applied
    /// before the retry is scheduled, to the stored entry as it is when the save goes through.</param>
    private Conclusion RetryLater(RepairRequest request, Func<LedgerEntry, LedgerEntry>? adjust, string error, TimeSpan? retryAfter, FollowUps followUps)
    {
        var now = clock.GetUtcNow();
        var wait = TimeSpan.Zero;
        // Ledger first, then the message (sent with the batch's others once all are saved): if the enqueue fails the
        // exception redelivers this message; if the process dies in between, the reconciliation's sweep finds the overdue entry.
        return new Conclusion(e =>
        {
            e = adjust?.Invoke(e) ?? e;
            if (e.FailingSince is { } since && options.Retry.ShouldGiveUp(since, now)) return e.Abandoned(error, now);
            // The wait of the conclusion last applied is the one saved: the message below follows it.
            wait = DelayFor(e.Attempts + 1, retryAfter);
            return e.RetryScheduled(error, now + wait, now);
        }, saved =>
        {
            if (saved is null) return RepairOutcome.Superseded;
            if (saved.State == SyncState.Abandoned)
            {
                logger.LogError("Repair of {MaHoSo} abandoned after {Attempts} attempts since {Since:o}: {Error}", request.MaHoSo, saved.Attempts, saved.FailingSince, error);
                return RepairOutcome.Abandoned;
            }
            followUps.Add(request with { Attempt = saved.Attempts, Reason = RepairReason.Retry }, wait);
            logger.LogInformation("Repair of {MaHoSo} failed ({Error}); attempt {Attempt} in {Delay} or a little more", request.MaHoSo, error, saved.Attempts + 1, wait);
            return RepairOutcome.RetryScheduled;
        });
    }

    /// <summary>
    /// The portal is down, or refuses the project's requests as malformed: put the repair back until the circuit's next
    /// probe, spread so the queue does not return all at once, without counting an attempt or moving the give-up clock —
    /// neither an outage nor a configuration error is the dossier's fault.
    /// </summary>
    private Conclusion Defer(RepairRequest request, Func<LedgerEntry, LedgerEntry>? adjust, PortalOutcomeKind why, TimeSpan? untilProbe, FollowUps followUps)
    {
        var reason = why == PortalOutcomeKind.ConfigurationError
            ? "deferred: the national portal refuses this project's requests as malformed (HTTP 400); an operator must check NationalPortal:DstCode and NationalPortal:MaDonVi"
            : "deferred: the national portal is unavailable (circuit open)";
        var now = clock.GetUtcNow();
        var wait = (untilProbe ?? TimeSpan.FromSeconds(30)) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 30_000));
        return new Conclusion(e =>
        {
            e = adjust?.Invoke(e) ?? e;
            return e with
            {
                State = e.State == SyncState.Synced ? SyncState.Pending : e.State,
                NextAttemptAt = now + wait,
                LastError = reason,
                UpdatedAt = now,
            };
        }, saved =>
        {
            if (saved is null) return RepairOutcome.Superseded;
            followUps.Add(request with { Reason = RepairReason.Deferred }, wait);
            logger.LogInformation("Repair of {MaHoSo} deferred for {Delay} or a little more: {Reason}", request.MaHoSo, wait, reason);
            return RepairOutcome.Deferred;
        });
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
    /// <param name="tried">The first save, when it was made already (with the rest of a batch's conclusions).</param>
    private async Task<LedgerEntry?> RecordAsync(RepairRequest request, SourceDossier? source, LedgerEntry? stored,
        Func<LedgerEntry, LedgerEntry> conclusion, CancellationToken cancellationToken, LedgerChangeResult? tried = null)
    {
        var version = source?.PhienBan ?? stored?.PhienBan ?? request.PhienBan;
        for (var attempt = 1; ; attempt++)
        {
            var result = attempt == 1 ? tried : null;
            if (result is null)
            {
                var basis = source is null ? stored : Basis(stored, source, clock.GetUtcNow());
                if (basis is null) return null;
                result = await ledger.TrySaveAsync(new LedgerChange(stored, conclusion(basis)), cancellationToken);
            }
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
