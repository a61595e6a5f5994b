using System.Diagnostics;
using System.Runtime.CompilerServices;
using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Audit;

/// <summary>
/// The full audit on demand: the reconciliation's checks over every dossier received in a period, whether or not the
/// ledger vouches for it. It runs in slices (a Functions timer, the standalone host's runner, or the standalone
/// command), each resuming from the page after the last one completed, so a stop or a crash costs at most the pages
/// in flight — and not even their portal calls, since a dossier recorded since the audit started is not looked up
/// again.
/// </summary>
public interface IAuditHandler
{
    /// <summary>Records an audit to run. The active audit is returned if it has the same parameters.</summary>
    /// <exception cref="AuditConflictException">Another audit is active.</exception>
    /// <exception cref="UnknownAgencyException">The provincial system does not know the agency.</exception>
    Task<AuditJob> RequestAsync(AuditRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the active audit until it is finished or <paramref name="cancellationToken"/> stops it (then it is left
    /// to be resumed). Null when there is no audit; the job unchanged when another process holds the audit's lease.
    /// </summary>
    Task<AuditJob?> RunAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs the active audit for at most <paramref name="budget"/>, then checkpoints and returns the job so far (a
    /// Functions timer tick, which the host would otherwise kill at its functionTimeout).
    /// </summary>
    Task<AuditJob?> RunSliceAsync(TimeSpan budget, CancellationToken cancellationToken);

    /// <summary>The current (or the last) audit.</summary>
    Task<AuditJob?> GetCurrentAsync(CancellationToken cancellationToken);

    /// <summary>Stops the active audit for good; null when there is none.</summary>
    Task<AuditJob?> CancelAsync(CancellationToken cancellationToken);
}

public sealed class UnknownAgencyException(string agency) : Exception(AgencyDirectory.NotListed(agency))
{
    public string Agency { get; } = agency;
}

public sealed class AuditHandler(
    IProvincialSystem provincial,
    DossierCheckPipeline pipeline,
    IAuditStore store,
    AgencyDirectory agencies,
    AuditTrigger trigger,
    SyncOptions options,
    TimeProvider clock,
    ILogger<AuditHandler> logger) : IAuditHandler
{
    public static readonly ActivitySource Activity = new("DvcSync.Audit");

    private static readonly RunKind Kind = new("Audit", Activity, "audit");

    public Task<AuditJob?> GetCurrentAsync(CancellationToken cancellationToken) => store.GetAsync(cancellationToken);

    public async Task<AuditJob> RequestAsync(AuditRequest request, CancellationToken cancellationToken)
    {
        if (request.To < request.From) throw new ArgumentException("An audit's To is not before its From", nameof(request));
        if (!IsSupported(request.From, request.To)) throw new ArgumentException($"An audit's period is within {VnTime.SupportedRange}", nameof(request));
        if (request.Agency is { } agency && (await agencies.GetAsync(cancellationToken)).Find(agency) is null)
            throw new UnknownAgencyException(agency);

        for (var attempt = 0; ; attempt++)
        {
            var current = await store.GetAsync(cancellationToken);
            if (current is not null && AuditStatus.IsActive(current.Status) && !IsSupported(current.From, current.To))
                current = await EndUnsupportedAsync(current, cancellationToken);
            if (current is not null && AuditStatus.IsActive(current.Status))
            {
                if (current.From == request.From && current.To == request.To && current.Agency == request.Agency) return current;
                throw new AuditConflictException(current);
            }

            var now = clock.GetUtcNow();
            var job = new AuditJob
            {
                Id = Guid.NewGuid().ToString("N")[..12],
                From = request.From,
                To = request.To,
                Agency = request.Agency,
                Status = AuditStatus.Queued,
                RequestedAt = now,
                ReadUpTo = now,
                UpdatedAt = now,
                Total = await TotalAsync(request.From, request.To, request.Agency, cancellationToken),
            };
            if (await store.TrySaveAsync(current, job, cancellationToken) is { } saved)
            {
                logger.LogInformation("Audit {AuditId} requested: dossiers received {From:yyyy-MM-dd} to {To:yyyy-MM-dd}, agency {Agency}, about {Total} dossiers",
                    job.Id, job.From, job.To, job.Agency ?? "(province)", job.Total);
                trigger.Signal();
                return saved;
            }
            if (attempt >= 5) throw new InvalidOperationException("The current audit kept changing while a new one was requested");
        }
    }

    public async Task<AuditJob?> CancelAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await store.GetAsync(cancellationToken);
            if (current is null || !AuditStatus.IsActive(current.Status)) return null;
            var cancelled = current with { Status = AuditStatus.Cancelled, FinishedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(), SecondsLeft = null };
            if (await store.TrySaveAsync(current, cancelled, cancellationToken) is { } saved)
            {
                logger.LogInformation("Audit {AuditId} cancelled after {Done} of {Total} dossiers", current.Id, current.Done, current.Total);
                return saved;
            }
        }
        throw new InvalidOperationException("The current audit kept changing while it was being cancelled");
    }

    public async Task<AuditJob?> RunAsync(CancellationToken cancellationToken)
    {
        var job = await store.GetAsync(cancellationToken);
        if (job is null || !AuditStatus.IsActive(job.Status)) return job;
        if (!IsSupported(job.From, job.To)) return await EndUnsupportedAsync(job, cancellationToken);

        var lease = await LeasedRun.TryTakeAsync(new RunLease(store.TryAcquireLeaseAsync, store.ReleaseLeaseAsync, options.AuditLease), cancellationToken);
        if (lease is null)
        {
            logger.LogDebug("Audit {AuditId} is being run by another process", job.Id);
            return job;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = new AuditProgress(store, job, stop, logger);
        return await lease.RunAsync(Kind, job.Id, activity => RunLeasedAsync(progress, lease, stop, activity, cancellationToken),
            async e =>
            {
                await progress.SaveAsync(progress.Job with { Error = e.GetType().Name + ": " + e.Message, UpdatedAt = clock.GetUtcNow() }, CancellationToken.None);
                return new RunFailureReport($"{progress.Job.Done} of {progress.Job.Total} dossiers", "it resumes from there");
            },
            logger, cancellationToken);
    }

    public async Task<AuditJob?> RunSliceAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        using var slice = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        slice.CancelAfter(budget);
        try
        {
            return await RunAsync(slice.Token);
        }
        catch (OperationCanceledException) when (slice.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return await store.GetAsync(CancellationToken.None); // the budget ran out: the next slice resumes
        }
    }

    private async Task<AuditJob> RunLeasedAsync(AuditProgress progress, LeasedRun lease, CancellationTokenSource stop, Activity? activity,
        CancellationToken cancellationToken)
    {
        var job = progress.Job;
        activity?.SetTag("dvcsync.audit_id", job.Id);
        var total = await TotalAsync(job.From, job.To, job.Agency, cancellationToken);
        var now = clock.GetUtcNow();
        if (!await progress.TakeOverAsync(at => at with
            {
                Status = AuditStatus.Running,
                StartedAt = at.StartedAt ?? now,
                UpdatedAt = now,
                Error = null,
                InFlight = 0, // what a stopped slice had in flight is read again from its page
                Total = Math.Max(at.Done, total),
            }, cancellationToken))
            return progress.Job;
        var startedAt = progress.Job.StartedAt!.Value;
        logger.LogInformation(progress.Job.Cursor is null && progress.Job.PagesDone == 0
                ? "Audit {AuditId} starting: about {Total} dossiers, {Done} done"
                : "Audit {AuditId} resuming: about {Total} dossiers, {Done} done",
            job.Id, progress.Job.Total, progress.Job.Done);

        var scope = job.Agency is null ? null : (await agencies.GetAsync(cancellationToken)).Subtree(job.Agency);
        var pages = new ProvincialPages(provincial, logger, VnTime.StartOfDay(job.From) - options.ReconcileOverlap, progress.Job.ReadUpTo,
            progress.Job.Cursor, options.PageSize);
        var counters = new CheckCounters();
        var live = new AuditLiveFigures(counters, progress, clock);
        try
        {
            await using var ticker = new AuditTicker(progress, live, lease, clock, logger);
            await pipeline.RunAsync(PagesAsync(progress.Job, pages, scope, stop.Token),
                // Checked by this audit already (before a crash, or by a repair or a reconciliation since it began),
                // or in the repair's hands at this version: nothing a look-up would add.
                needsLookup: (source, entry) => entry is null || !entry.Covers(source)
                    || (entry.UpdatedAt < startedAt && entry.State is not (SyncState.Pending or SyncState.Retrying)),
                onPageDone: async page =>
                {
                    await progress.CheckpointAsync(page, live);
                    await lease.RenewAsync(CancellationToken.None);
                },
                counters, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            progress.Log();
            if (!cancellationToken.IsCancellationRequested) return progress.Job; // cancelled by an operator
            logger.LogInformation("Audit {AuditId} paused after {Done} of {Total} dossiers; the next slice resumes from page {Pages}",
                job.Id, progress.Job.Done, progress.Job.Total, progress.Job.PagesDone);
            throw;
        }

        if (pages.Problem is { } problem)
        {
            // The provincial system's paging cut the pass short: the pages checkpointed stand, and the audit stays
            // active, with the problem on it for /api/health, to resume from its last page.
            await progress.SaveAsync(progress.Job with { Error = problem, UpdatedAt = clock.GetUtcNow(), InFlight = 0 }, CancellationToken.None);
            progress.Log();
            return progress.Job;
        }

        // The estimate came from the provincial system's received counts, which also hold dossiers whose NgayTiepNhan it
        // exports unreadably (they cannot be placed in a period); finished, the total is what was checked.
        var finished = progress.Job with
        {
            Status = AuditStatus.Finished, FinishedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(), SecondsLeft = 0, InFlight = 0,
            Total = progress.Job.Done,
        };
        await progress.SaveAsync(finished, CancellationToken.None);
        logger.LogInformation(
            "Audit {AuditId} finished: {Done} dossiers of the period checked ({Read} read), {Lookups} portal look-ups at {Rate:F1}/s, {Mismatches} missing or stale, {Queued} repairs queued",
            job.Id, progress.Job.Done, progress.Job.Read, progress.Job.PortalLookups, progress.Job.CallRate, progress.Job.Mismatches, progress.Job.RepairsQueued);
        activity?.SetTag("dvcsync.portal_lookups", progress.Job.PortalLookups);
        return progress.Job;
    }

    private static bool IsSupported(DateOnly from, DateOnly to) => VnTime.IsSupported(from) && VnTime.IsSupported(to);

    /// <summary>
    /// An audit stored before periods were checked against the supported dates would fail every slice for ever: it
    /// ends here, saying why, and a new one can be requested.
    /// </summary>
    private async Task<AuditJob?> EndUnsupportedAsync(AuditJob job, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var ended = job with
        {
            Status = AuditStatus.Cancelled, FinishedAt = now, UpdatedAt = now, SecondsLeft = null, InFlight = 0,
            Error = $"The audit's period is outside the supported dates, {VnTime.SupportedRange}, so it cannot run; request one inside them",
        };
        if (await store.TrySaveAsync(job, ended, cancellationToken) is not { } saved) return await store.GetAsync(cancellationToken);
        logger.LogError("Audit {AuditId} ended unrun: its period is outside the supported dates, {Range}", job.Id, VnTime.SupportedRange);
        return saved;
    }

    /// <summary>
    /// The provincial system can only list by change time: read every change since the period began (a dossier
    /// changes no earlier than it is received) up to when the audit was requested, and keep those received in the
    /// period and scope.
    /// </summary>
    private static async IAsyncEnumerable<SourcePage> PagesAsync(AuditJob job, ProvincialPages pages, IReadOnlySet<string>? scope,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (job.Cursor is null && job.PagesDone > 0) yield break; // the last page was completed before a stop
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            var kept = page.Items.Where(d => InPeriod(d, job) && (scope is null || scope.Contains(d.MaDonVi))).ToList();
            yield return new SourcePage(kept, page.NextCursor, page.Items.Count);
        }
    }

    private static bool InPeriod(SourceDossier dossier, AuditJob job) =>
        dossier.Dossier.NgayTiepNhan is { } received && VnTime.Day(received) is var day && day >= job.From && day <= job.To;

    /// <summary>
    /// The period's received dossiers as the provincial system reports them (thongke/tiepnhan, the indicator's
    /// denominator): what "done" heads for. Known before the ledger has seen any of them.
    /// </summary>
    private async Task<long> TotalAsync(DateOnly from, DateOnly to, string? agency, CancellationToken cancellationToken)
    {
        var scope = agency is null ? null : (await agencies.GetAsync(cancellationToken)).Subtree(agency);
        var counts = await provincial.GetReceivedCountsAsync(from, to, cancellationToken);
        return counts.Where(c => scope is null || scope.Contains(c.MaDonVi)).Sum(c => c.SoHoSoTiepNhan);
    }
}
