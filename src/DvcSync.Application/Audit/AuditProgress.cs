using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Audit;

/// <summary>
/// How an audit slice saves its job: the job as last saved, and as it was when the slice began (the base of the
/// slice's counters). Page checkpoints and the live figures between them save the same row, one at a time; a save that
/// finds the audit no longer this slice's — cancelled by an operator, or taken over after the lease lapsed — stops
/// the slice.
/// </summary>
internal sealed class AuditProgress(IAuditStore store, AuditJob start, CancellationTokenSource stop, ILogger logger)
{
    private readonly SemaphoreSlim _saving = new(1, 1);
    private AuditJob? _saved;

    public AuditJob Job { get; private set; } = start;
    public AuditJob Base { get; private set; } = start;

    /// <summary>
    /// Takes the stored job over as this slice's, <paramref name="change"/>d, on top of what earlier slices saved.
    /// False when it is no longer active.
    /// </summary>
    public async Task<bool> TakeOverAsync(Func<AuditJob, AuditJob> change, CancellationToken cancellationToken)
    {
        Job = change(Job);
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

    /// <returns>False when someone else changed the job first; <see cref="Job"/> is then what they saved.</returns>
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

    /// <summary>Saves the job <paramref name="change"/>d, unless the slice is stopping; stops it if the job is no longer its own.</summary>
    public async Task SaveOrStopAsync(Func<AuditJob, AuditJob> change)
    {
        await _saving.WaitAsync(CancellationToken.None);
        try
        {
            if (stop.IsCancellationRequested) return;
            if (!await SaveAsync(change(Job), CancellationToken.None))
            {
                logger.LogInformation("Audit {AuditId} stops: it is {Status} now", Job.Id, Job.Status);
                await stop.CancelAsync();
            }
        }
        finally
        {
            _saving.Release();
        }
    }

    /// <summary>
    /// A page whose dossiers are all recorded: the resume point moves past it and they count as done, in one save with
    /// the live figures.
    /// </summary>
    public Task CheckpointAsync(SourcePage page, AuditLiveFigures live) =>
        SaveOrStopAsync(at => live.Of(at with
        {
            Cursor = page.NextCursor,
            PagesDone = at.PagesDone + 1,
            Done = at.Done + page.Items.Count, // the page holds only the dossiers in period and scope
            Read = at.Read + page.Read,
        }));

    public void Log() =>
        logger.LogInformation("Audit {AuditId}: {Done} of {Total} dossiers, {Lookups} portal look-ups at {Rate:F1}/s, about {Left} left",
            Job.Id, Job.Done + Job.InFlight, Job.Total, Job.PortalLookups, Job.CallRate,
            Job.SecondsLeft is { } s ? TimeSpan.FromSeconds(Math.Round(s)).ToString("c") : "(unknown)");
}
