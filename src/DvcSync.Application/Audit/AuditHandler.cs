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

    /// <summary>
    /// How often the figures are saved and logged between page checkpoints: a page of 500 at a ceiling of 20 calls a
    /// second takes 25 s, and an operator watching /api/health should not see a frozen count meanwhile.
    /// </summary>
    private static readonly TimeSpan LiveEvery = TimeSpan.FromSeconds(10);

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

        var owner = Guid.NewGuid().ToString("N")[..12];
        if (!await store.TryAcquireLeaseAsync(owner, options.ReconcileLease, cancellationToken))
        {
            logger.LogDebug("Audit {AuditId} is being run by another process", job.Id);
            return job;
        }
        try
        {
            return await RunLeasedAsync(job, owner, cancellationToken);
        }
        finally
        {
            await store.ReleaseLeaseAsync(owner, CancellationToken.None);
        }
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

    private async Task<AuditJob> RunLeasedAsync(AuditJob job, string owner, CancellationToken cancellationToken)
    {
        using var activity = Activity.StartActivity("audit");
        activity?.SetTag("dvcsync.audit_id", job.Id);
        var now = clock.GetUtcNow();
        var progress = new Progress(store, job with
        {
            Status = AuditStatus.Running,
            StartedAt = job.StartedAt ?? now,
            UpdatedAt = now,
            Error = null,
            InFlight = 0, // what a stopped slice had in flight is read again from its page
            Total = Math.Max(job.Done, await TotalAsync(job.From, job.To, job.Agency, cancellationToken)),
        });
        if (!await progress.SaveAsync(cancellationToken)) return progress.Job;
        var startedAt = progress.Job.StartedAt!.Value;
        logger.LogInformation(progress.Job.Cursor is null && progress.Job.PagesDone == 0
                ? "Audit {AuditId} starting: about {Total} dossiers, {Done} done"
                : "Audit {AuditId} resuming: about {Total} dossiers, {Done} done",
            job.Id, progress.Job.Total, progress.Job.Done);

        var scope = job.Agency is null ? null : (await agencies.GetAsync(cancellationToken)).Subtree(job.Agency);
        var pages = new ProvincialPages(provincial, logger, VnTime.StartOfDay(job.From) - options.ReconcileOverlap, progress.Job.ReadUpTo,
            progress.Job.Cursor, options.PageSize);
        var counters = new CheckCounters();
        var slice = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Page checkpoints and the live figures between them save the same row, one at a time.
        using var saving = new SemaphoreSlim(1, 1);

        // The job with this slice's counters: Done and the cursor move only at page checkpoints (a resume starts from
        // the last one); what is checked on pages still in flight shows as InFlight meanwhile.
        AuditJob Live(AuditJob at, long pagesDoneInSlice)
        {
            var elapsed = slice.Elapsed.TotalSeconds;
            var completed = Interlocked.Read(ref counters.Completed);
            var inFlight = Math.Max(0, completed - pagesDoneInSlice);
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

        async Task SaveOrStopAsync(Func<AuditJob, AuditJob> change)
        {
            await saving.WaitAsync(CancellationToken.None);
            try
            {
                if (stop.IsCancellationRequested) return;
                if (!await progress.SaveAsync(change(progress.Job), CancellationToken.None))
                {
                    // Cancelled by an operator (or taken over after our lease lapsed): stop here.
                    logger.LogInformation("Audit {AuditId} stops: it is {Status} now", job.Id, progress.Job.Status);
                    await stop.CancelAsync();
                }
            }
            finally
            {
                saving.Release();
            }
        }

        using var ticking = new CancellationTokenSource();
        var ticker = TickAsync(ticking.Token);
        async Task TickAsync(CancellationToken token)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(LiveEvery, clock, token);
                    await SaveOrStopAsync(at => Live(at, at.Done - progress.Base.Done));
                    await store.TryAcquireLeaseAsync(owner, options.ReconcileLease, CancellationToken.None);
                    LogProgress(progress.Job);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // the slice is over
            }
            catch (Exception e)
            {
                // The figures between checkpoints are a courtesy; the checkpoints themselves still stop on failure.
                logger.LogWarning(e, "Audit {AuditId}: its progress could not be saved between pages", job.Id);
            }
        }

        try
        {
            try
            {
                await pipeline.RunAsync(PagesAsync(progress.Job, pages, scope, stop.Token),
                    // Checked by this audit already (before a crash, or by a repair or a reconciliation since it began),
                    // or in the repair's hands at this version: nothing a look-up would add.
                    needsLookup: (source, entry) => entry is null || !entry.Covers(source)
                        || (entry.UpdatedAt < startedAt && entry.State is not (SyncState.Pending or SyncState.Retrying)),
                    onPageDone: async page =>
                    {
                        await SaveOrStopAsync(at =>
                        {
                            var next = at with
                            {
                                Cursor = page.NextCursor,
                                PagesDone = at.PagesDone + 1,
                                Done = at.Done + page.Items.Count, // the page holds only the dossiers in period and scope
                                Read = at.Read + page.Read,
                            };
                            return Live(next, next.Done - progress.Base.Done);
                        });
                        await store.TryAcquireLeaseAsync(owner, options.ReconcileLease, CancellationToken.None);
                    },
                    counters, stop.Token);
            }
            finally
            {
                await ticking.CancelAsync();
                await ticker;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            LogProgress(progress.Job);
            if (!cancellationToken.IsCancellationRequested) return progress.Job; // cancelled by an operator
            logger.LogInformation("Audit {AuditId} paused after {Done} of {Total} dossiers; the next slice resumes from page {Pages}",
                job.Id, progress.Job.Done, progress.Job.Total, progress.Job.PagesDone);
            throw;
        }
        catch (Exception e)
        {
            await progress.SaveAsync(progress.Job with { Error = e.GetType().Name + ": " + e.Message, UpdatedAt = clock.GetUtcNow() }, CancellationToken.None);
            if (e is ExternalSystemUnavailableException unavailable)
                logger.LogWarning("Audit {AuditId} stopped after {Done} of {Total} dossiers: {Reason}; it resumes from there",
                    job.Id, progress.Job.Done, progress.Job.Total, unavailable.Message);
            else
                logger.LogError(e, "Audit {AuditId} failed after {Done} of {Total} dossiers; it resumes from there", job.Id, progress.Job.Done, progress.Job.Total);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }

        if (pages.Problem is { } problem)
        {
            // The provincial system's paging cut the pass short: the pages checkpointed stand, and the audit stays
            // active, with the problem on it for /api/health, to resume from its last page.
            await progress.SaveAsync(progress.Job with { Error = problem, UpdatedAt = clock.GetUtcNow(), InFlight = 0 }, CancellationToken.None);
            LogProgress(progress.Job);
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

    private void LogProgress(AuditJob job) =>
        logger.LogInformation("Audit {AuditId}: {Done} of {Total} dossiers, {Lookups} portal look-ups at {Rate:F1}/s, about {Left} left",
            job.Id, job.Done + job.InFlight, job.Total, job.PortalLookups, job.CallRate,
            job.SecondsLeft is { } s ? TimeSpan.FromSeconds(Math.Round(s)).ToString("c") : "(unknown)");

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

    /// <summary>The job as last saved, and as it was when this slice began (the base of the slice's counters).</summary>
    private sealed class Progress(IAuditStore store, AuditJob start)
    {
        public AuditJob Job { get; private set; } = start;
        public AuditJob Base { get; private set; } = start;
        private AuditJob? _saved;

        public async Task<bool> SaveAsync(CancellationToken cancellationToken)
        {
            var stored = await store.GetAsync(cancellationToken);
            if (stored is null || stored.Id != Job.Id || !AuditStatus.IsActive(stored.Status))
            {
                Job = stored ?? Job;
                return false;
            }
            _saved = stored;
            Job = Job with { ETag = stored.ETag, Cursor = stored.Cursor, PagesDone = stored.PagesDone, Done = stored.Done, Read = stored.Read,
                PortalLookups = stored.PortalLookups, Mismatches = stored.Mismatches, RepairsQueued = stored.RepairsQueued };
            Base = Job;
            return await SaveAsync(Job, cancellationToken);
        }

        public async Task<bool> SaveAsync(AuditJob next, CancellationToken cancellationToken)
        {
            if (await store.TrySaveAsync(_saved, next, cancellationToken) is not { } saved)
            {
                Job = await store.GetAsync(cancellationToken) ?? Job;
                return false;
            }
            _saved = saved;
            Job = saved;
            return true;
        }
    }
}
