namespace DvcSync.Core.Ports;

/// <summary>Where the current audit and its lease are kept.</summary>
public interface IAuditStore
{
    Task<AuditJob?> GetAsync(CancellationToken cancellationToken);

    /// <summary>Adds the job as the current one if there is none, or replaces <paramref name="previous"/> (by ETag).
    /// The job as saved, with its new ETag; null when someone else changed it first.</summary>
    Task<AuditJob?> TrySaveAsync(AuditJob? previous, AuditJob next, CancellationToken cancellationToken);

    Task<bool> TryAcquireLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken);

    Task ReleaseLeaseAsync(string owner, CancellationToken cancellationToken);
}

public static class AuditStatus
{
    /// <summary>Requested, not started yet.</summary>
    public const string Queued = "queued";

    /// <summary>Started and not finished: being run, or waiting to be resumed after a stop or a failure.</summary>
    public const string Running = "running";

    public const string Finished = "finished";

    /// <summary>Stopped by an operator; a new audit may be requested.</summary>
    public const string Cancelled = "cancelled";

    public static bool IsActive(string status) => status is Queued or Running;
}

/// <summary>
/// One full audit: its parameters, where it stands in the provincial system's pages (the resume point after a stop or
/// a crash), and its progress. Counts cover the pages completed so far.
/// </summary>
public sealed record AuditJob
{
    public required string Id { get; init; }
    public required DateOnly From { get; init; }
    public required DateOnly To { get; init; }
    public string? Agency { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>The provincial system's changes are read from the start of <see cref="From"/> up to this moment.</summary>
    public required DateTimeOffset ReadUpTo { get; init; }

    /// <summary>When the first slice started. A dossier recorded since then at its current version was checked by this audit.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The provincial system's cursor after the last completed page; null before the first.</summary>
    public string? Cursor { get; init; }
    public long PagesDone { get; init; }

    /// <summary>
    /// Dossiers received in the period and scope: the provincial system's received counts while the audit runs, the
    /// number checked once it has finished.
    /// </summary>
    public long Total { get; init; }

    /// <summary>Dossiers of the period and scope checked, or found checked already by this audit, on completed pages.</summary>
    public long Done { get; init; }

    /// <summary>
    /// Dossiers checked on pages not completed yet (progress between checkpoints). Not part of <see cref="Done"/>:
    /// after a stop those pages are read again, and a new slice starts this at zero.
    /// </summary>
    public long InFlight { get; init; }

    /// <summary>Provincial dossiers read, in scope or not (the provincial system cannot filter by received date).</summary>
    public long Read { get; init; }
    public long PortalLookups { get; init; }
    public long Mismatches { get; init; }
    public long RepairsQueued { get; init; }

    /// <summary>Portal look-ups per second during the current (or last) slice.</summary>
    public double CallRate { get; init; }

    /// <summary>At the current slice's pace; null until there is a pace to go by.</summary>
    public double? SecondsLeft { get; init; }

    public string? Error { get; init; }

    /// <summary>Concurrency token of the store.</summary>
    public string? ETag { get; init; }
}
