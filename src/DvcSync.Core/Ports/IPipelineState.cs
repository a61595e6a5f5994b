namespace DvcSync.Core.Ports;

/// <summary>The reconciliation's progress: how far it has read the provincial system, and how its runs went.</summary>
/// <param name="MovedAt">When a run last moved it forward (a page checkpointed, or a window read to its end).</param>
public sealed record ReconcileWatermark(DateTimeOffset ReadUpTo, string? ETag, DateTimeOffset? MovedAt = null);

/// <param name="ReadUpTo">
/// How far this run read the provincial changes (its last page checkpointed, or its window's end): a run that a time
/// budget ended before its window's end is returned with <c>FinishedAt</c> null and this set, or null when it
/// checkpointed nothing.
/// </param>
public sealed record ReconcileRun(
    string RunId,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset WindowFrom,
    DateTimeOffset WindowTo,
    long DossiersRead,
    long DossiersChecked,
    long PortalLookups,
    long MismatchesFound,
    long RepairsQueued,
    string? Error,
    DateTimeOffset? ReadUpTo = null);

public sealed record PortalAvailability(bool CircuitOpen, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastFailure)
{
    /// <summary>
    /// While the portal refuses this project's requests as malformed (HTTP 400, "1"): what it said and what to check.
    /// Null once a call has succeeded since.
    /// </summary>
    public string? Refusal { get; init; }

    /// <summary>When the refusal was recorded.</summary>
    public DateTimeOffset? RefusedAt { get; init; }
}

public interface IPipelineState
{
    Task<ReconcileWatermark?> GetWatermarkAsync(CancellationToken cancellationToken);

    /// <summary>Moves the watermark forward only; a run that finished later with an older window cannot move it back.</summary>
    Task AdvanceWatermarkAsync(DateTimeOffset readUpTo, CancellationToken cancellationToken);

    /// <summary>Takes the reconciliation lease, so that two overlapping runs do not both spend portal calls. False if held.</summary>
    Task<bool> TryAcquireReconcileLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken);

    Task ReleaseReconcileLeaseAsync(string owner, CancellationToken cancellationToken);

    Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken);

    /// <summary>The latest run started, and the latest run finished (may be the same).</summary>
    Task<(ReconcileRun? LastStarted, ReconcileRun? LastFinished)> GetRunsAsync(CancellationToken cancellationToken);

    /// <summary>The portal's last success or failure. A success also ends a refusal (<see cref="RecordPortalRefusalAsync"/>).</summary>
    Task RecordPortalCallAsync(bool succeeded, string? failure, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The portal refuses this project's requests as malformed: a configuration problem every instance's health shows.</summary>
    Task RecordPortalRefusalAsync(string refusal, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The portal circuit opened (the portal is taken to be down) or closed again.</summary>
    Task RecordPortalCircuitAsync(bool open, DateTimeOffset at, CancellationToken cancellationToken);

    Task<PortalAvailability> GetPortalAvailabilityAsync(CancellationToken cancellationToken);
}

public interface IStorageProbe
{
    /// <summary>Null when the storage answers; the reason otherwise.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}
