using System.Diagnostics;
using DvcSync.Application.Configuration;
using DvcSync.Core.Comparison;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Reconciliation;

/// <summary>
/// One reconciliation pass: read what changed in the provincial system since the watermark, check each dossier the
/// ledger does not already vouch for against the portal, record the verdict, and queue a repair for whatever is
/// missing or stale. Then sweep the ledger for repairs whose message was lost. Everything is idempotent, so a
/// crash half-way or a second run at the same time costs portal calls, never correctness.
/// </summary>
public interface IReconcileHandler
{
    /// <returns>The run, or null when another run held the lease.</returns>
    Task<ReconcileRun?> RunAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A run that takes new pages for at most <paramref name="budget"/> (a Functions timer tick, which the host would
    /// otherwise kill at its functionTimeout, sweeps unrun): then the pages in flight checkpoint, the sweep runs
    /// (bounded) and the run is saved with its progress, <c>FinishedAt</c> null and <c>ReadUpTo</c> its last
    /// checkpoint; the next run resumes from the watermark. A run that reads its whole window in time ends as
    /// <see cref="RunAsync"/> does.
    /// </summary>
    /// <returns>The run, or null when another run held the lease.</returns>
    Task<ReconcileRun?> RunSliceAsync(TimeSpan budget, CancellationToken cancellationToken);
}

public sealed class ReconcileHandler(
    IProvincialSystem provincial,
    DossierCheckPipeline pipeline,
    ISyncLedger ledger,
    IRepairQueue repairQueue,
    IPipelineState state,
    SyncOptions options,
    TimeProvider clock,
    ILogger<ReconcileHandler> logger) : IReconcileHandler
{
    public static readonly ActivitySource Activity = new("DvcSync.Reconciliation");

    private static readonly RunKind Kind = new("Reconciliation", Activity, "reconcile");

    /// <summary>How long the sweep of lost repairs may take after a budgeted run: the rest waits for the next run.</summary>
    public static readonly TimeSpan SweepBound = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often this process copies the provincial received counts and re-copies the roll-ups, at most. The schedule
    /// runs every few seconds for real time; those copies exist for late corrections and crashes and need not: an idle
    /// run then costs one provincial page read, no portal call and no growing storage. A first run always copies.
    /// </summary>
    public static readonly TimeSpan HousekeepingEvery = TimeSpan.FromMinutes(5);

    private DateTimeOffset? _countsCopiedAt;
    private DateTimeOffset? _rollupsRepairedAt;

    public Task<ReconcileRun?> RunAsync(CancellationToken cancellationToken) => RunAsync(null, cancellationToken);

    public Task<ReconcileRun?> RunSliceAsync(TimeSpan budget, CancellationToken cancellationToken) => RunAsync(budget, cancellationToken);

    private async Task<ReconcileRun?> RunAsync(TimeSpan? budget, CancellationToken cancellationToken)
    {
        var lease = await LeasedRun.TryTakeAsync(new RunLease(state.TryAcquireReconcileLeaseAsync, state.ReleaseReconcileLeaseAsync, options.ReconcileLease),
            cancellationToken);
        if (lease is null)
        {
            logger.LogInformation("Reconciliation skipped: another run holds the lease");
            return null;
        }

        var counters = new CheckCounters();
        ReconcileRun? run = null;
        return await lease.RunAsync(Kind, lease.Owner,
            activity => ReadWindowAsync(lease, budget, counters, started => run = started, activity, cancellationToken),
            async e =>
            {
                // Recorded for /api/health; the next run resumes from the watermark.
                if (run is not null) await state.SaveRunAsync(Into(run, counters) with { Error = e.GetType().Name + ": " + e.Message }, CancellationToken.None);
                return new RunFailureReport($"{counters.Read} dossiers read", "the next run resumes from the watermark");
            },
            logger, cancellationToken);
    }

    private async Task<ReconcileRun> ReadWindowAsync(LeasedRun lease, TimeSpan? budget, CheckCounters counters, Action<ReconcileRun> started,
        Activity? activity, CancellationToken cancellationToken)
    {
        var runId = lease.Owner;
        var startedAt = clock.GetUtcNow();
        var watermark = await state.GetWatermarkAsync(cancellationToken);
        var windowFrom = watermark is null ? options.HistoryFrom : watermark.ReadUpTo - options.ReconcileOverlap;
        var windowTo = startedAt;
        var run = new ReconcileRun(runId, startedAt, null, windowFrom, windowTo, 0, 0, 0, 0, 0, null);
        started(run);
        // Fires when the budget is spent: no new page is taken after it.
        using var outOfTime = budget is { } slice ? new CancellationTokenSource(slice, clock) : new CancellationTokenSource();
        DateTimeOffset? checkpoint = null;
        await state.SaveRunAsync(run, cancellationToken);
        logger.LogInformation("Reconciliation {RunId} reading changes from {From:o} to {To:o}", runId, windowFrom, windowTo);

        // The denominator first: from the first minute the rate is against what the province received, and rises
        // as look-ups and repairs confirm what the portal holds.
        if (watermark is null || Due(_countsCopiedAt, startedAt))
        {
            // The recent days are always among those copied: none between two copies is left out.
            await RefreshReportedCountsAsync(watermark is null ? options.HistoryFrom : windowFrom, windowTo, cancellationToken);
            _countsCopiedAt = startedAt;
        }
        var pages = new ProvincialPages(provincial, logger, windowFrom, windowTo, null, options.PageSize);
        var readAll = await pipeline.RunAsync(SourcePagesAsync(pages, cancellationToken),
            needsLookup: (source, entry) => entry is null || !entry.Covers(source),
            onPageDone: async page =>
            {
                // Items come in NgayCapNhat order: everything up to the last one is recorded, so a crash resumes here.
                // An item whose change time reads as no date ("00010101000000") cannot place the page; the one before it can.
                if (page.Items.LastOrDefault(i => i.NgayCapNhat is not null)?.NgayCapNhat is { } lastChange && lastChange <= windowTo)
                {
                    await state.AdvanceWatermarkAsync(lastChange, cancellationToken);
                    checkpoint = lastChange;
                }
                await lease.RenewAsync(cancellationToken);
            },
            counters, cancellationToken, outOfTime.Token);

        await RequeueLostRepairsAsync(counters, budget is null ? null : SweepBound, cancellationToken);
        if (Due(_rollupsRepairedAt, startedAt))
        {
            await ledger.RepairRollupCopiesAsync(cancellationToken);
            _rollupsRepairedAt = startedAt;
        }
        // A pass the provincial system's paging or the budget cut short has read only up to its last checkpoint:
        // the watermark stays there. A paging problem is recorded for /api/health; a budget is the plan.
        var toTheEnd = readAll && pages.Problem is null;
        if (toTheEnd) await state.AdvanceWatermarkAsync(windowTo, cancellationToken);
        run = Into(run, counters) with
        {
            FinishedAt = readAll ? clock.GetUtcNow() : null,
            Error = pages.Problem,
            ReadUpTo = toTheEnd ? windowTo : checkpoint,
        };
        await state.SaveRunAsync(run, cancellationToken);
        if (readAll)
            logger.LogInformation(
                "Reconciliation {RunId} finished: {Read} read, {Checked} checked, {Lookups} portal look-ups, {Mismatches} missing or stale, {Queued} repairs queued, {Unreadable} unreadable",
                runId, counters.Read, counters.Checked, counters.Lookups, counters.Mismatches, counters.Queued, counters.Unreadable);
        else
            logger.LogInformation(
                "Reconciliation {RunId} used its {Budget} budget, catching up: read up to {ReadUpTo:o} of {WindowTo:o}; {Read} read, {Checked} checked, {Lookups} portal look-ups, {Queued} repairs queued; the next run resumes from there",
                runId, budget, checkpoint, windowTo, counters.Read, counters.Checked, counters.Lookups, counters.Queued);
        activity?.SetTag("dvcsync.dossiers_read", counters.Read);
        activity?.SetTag("dvcsync.portal_lookups", counters.Lookups);
        activity?.SetTag("dvcsync.mismatches", counters.Mismatches);
        return run;
    }

    private static async IAsyncEnumerable<SourcePage> SourcePagesAsync(ProvincialPages pages,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in pages.WithCancellation(cancellationToken))
            yield return new SourcePage(page.Items, page.NextCursor, page.Items.Count);
    }

    /// <summary>
    /// Copies the provincial system's received counts — the indicator's denominator — beside the ledger's own, so that
    /// a sync-rate query reads only storage. The first run copies the whole history; later runs the days of
    /// <see cref="ReceivedCountRefresh"/>.
    /// </summary>
    private async Task RefreshReportedCountsAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            foreach (var (from, to) in ReceivedCountRefresh.RangesFor(since, until, clock.GetUtcNow(), VnTime.Day(options.HistoryFrom)))
                for (var start = from; start <= to; start = start.AddMonths(3))
                {
                    // A quarter at a time keeps each answer and each write batch small for a large province.
                    var end = start.AddMonths(3).AddDays(-1) < to ? start.AddMonths(3).AddDays(-1) : to;
                    var counts = await provincial.GetReceivedCountsAsync(start, end, cancellationToken);
                    await ledger.RecordReportedCountsAsync(counts, start, end, cancellationToken);
                }
        }
        catch (ExternalSystemUnavailableException e)
        {
            // The figures fall back to the dossiers seen for these days until the next run copies the counts.
            logger.LogWarning("The provincial received counts could not be refreshed: {Reason}", e.Reason);
        }
    }

    /// <summary>
    /// The queue is not the final guarantee: a message can be lost or expire unread, or a process can die between the
    /// ledger write and the enqueue. An entry still in the repair's hands well past its time is queued again. With a
    /// <paramref name="bound"/>, the sweep stops taking entries when it has run that long; the next run goes on.
    /// </summary>
    private async Task RequeueLostRepairsAsync(CheckCounters counters, TimeSpan? bound, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        using var boundReached = bound is { } limit ? new CancellationTokenSource(limit, clock) : new CancellationTokenSource();
        // Queued in batch messages, an agency's side by side: after an outage the lost repairs are thousands, and one per
        // message would repair them one dossier per portal call.
        var requeued = new List<RepairRequest>();
        async Task QueueAsync()
        {
            foreach (var chunk in requeued.InMessagesByAgency(options.RepairBatchSize))
            {
                await repairQueue.EnqueueMessageAsync(chunk, TimeSpan.Zero, CancellationToken.None);
                Interlocked.Add(ref counters.Queued, chunk.Length);
                Interlocked.Add(ref counters.Requeued, chunk.Length);
            }
            requeued.Clear();
        }
        await foreach (var indexed in ledger.GetInRepairAsync(cancellationToken))
        {
            if (boundReached.IsCancellationRequested)
            {
                logger.LogInformation("The sweep of lost repairs stopped after {Bound}; the next reconciliation goes on with it", bound);
                break;
            }
            var due = indexed.NextAttemptAt ?? indexed.UpdatedAt;
            if (due + options.LostRepairGrace > now) continue;

            var entry = await ledger.GetAsync(indexed.MaDonVi, indexed.MaHoSo, cancellationToken);
            if (entry is not { IsInRepair: true }) continue;
            try
            {
                await ledger.SaveAsync(entry, entry with { NextAttemptAt = now, UpdatedAt = now }, cancellationToken);
            }
            catch (LedgerConflictException)
            {
                continue; // the repair is alive after all
            }
            requeued.Add(new RepairRequest(entry.MaHoSo, entry.MaDonVi, entry.PhienBan, entry.Attempts, RepairReason.Requeued));
            if (requeued.Count == options.RepairBatchSize * 4) await QueueAsync();
        }
        // Not cancellable: the ledger already says these are coming (and if the process dies first, the next sweep finds them).
        await QueueAsync();
        if (counters.Requeued > 0)
            logger.LogWarning("Reconciliation queued {Count} repairs again whose messages were lost or late", counters.Requeued);
    }

    private static bool Due(DateTimeOffset? last, DateTimeOffset now) => last is null || now - last.Value >= HousekeepingEvery || now < last.Value;

    private static ReconcileRun Into(ReconcileRun run, CheckCounters counters) => run with
    {
        DossiersRead = counters.Read,
        DossiersChecked = counters.Checked,
        PortalLookups = counters.Lookups,
        MismatchesFound = counters.Mismatches,
        RepairsQueued = counters.Queued,
    };
}
