using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>The reconciliation's watermark, lease and run records, and the portal's last known availability, in the embedded store.</summary>
internal sealed class SqlitePipelineState(SqliteDocuments documents, TimeProvider clock) : IPipelineState
{
    private const string Watermark = "reconcile/watermark";
    private const string LastStarted = "reconcile/run-last-started";
    private const string LastFinished = "reconcile/run-last-finished";
    private const string Availability = "portal/availability";
    private const string Lease = "reconcile/lease";

    private sealed record WatermarkDocument(DateTimeOffset ReadUpTo, DateTimeOffset UpdatedAt);

    public async Task<ReconcileWatermark?> GetWatermarkAsync(CancellationToken cancellationToken) =>
        await documents.GetAsync<WatermarkDocument>(Watermark, cancellationToken) is var (value, version)
            ? new ReconcileWatermark(value.ReadUpTo, SqliteSchema.ETag(version), value.UpdatedAt)
            : null;

    public Task AdvanceWatermarkAsync(DateTimeOffset readUpTo, CancellationToken cancellationToken) =>
        documents.UpdateAsync<WatermarkDocument>(Watermark,
            current => current is not null && current.ReadUpTo >= readUpTo ? null : new WatermarkDocument(readUpTo, clock.GetUtcNow()),
            cancellationToken);

    public Task<bool> TryAcquireReconcileLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        documents.TryAcquireLeaseAsync(Lease, owner, clock.GetUtcNow(), duration, cancellationToken);

    public Task ReleaseReconcileLeaseAsync(string owner, CancellationToken cancellationToken) => documents.ReleaseLeaseAsync(Lease, owner, cancellationToken);

    public async Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken)
    {
        await documents.UpdateAsync<ReconcileRun>(LastStarted, _ => run, cancellationToken);
        if (run.FinishedAt is not null) await documents.UpdateAsync<ReconcileRun>(LastFinished, _ => run, cancellationToken);
    }

    public async Task<(ReconcileRun? LastStarted, ReconcileRun? LastFinished)> GetRunsAsync(CancellationToken cancellationToken)
    {
        var started = await documents.GetAsync<ReconcileRun>(LastStarted, cancellationToken);
        var finished = await documents.GetAsync<ReconcileRun>(LastFinished, cancellationToken);
        return (started?.Value, finished?.Value);
    }

    public Task RecordPortalCallAsync(bool succeeded, string? failure, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAvailabilityAsync(current => succeeded
            ? current with { LastSuccessAt = at, Refusal = null, RefusedAt = null }
            : current with { LastFailureAt = at, LastFailure = failure }, cancellationToken);

    public Task RecordPortalRefusalAsync(string refusal, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAvailabilityAsync(current => current with { Refusal = refusal, RefusedAt = at }, cancellationToken);

    public Task RecordPortalCircuitAsync(bool open, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAvailabilityAsync(current => current with { CircuitOpen = open }, cancellationToken);

    public async Task<PortalAvailability> GetPortalAvailabilityAsync(CancellationToken cancellationToken) =>
        (await documents.GetAsync<PortalAvailability>(Availability, cancellationToken))?.Value ?? None;

    private static readonly PortalAvailability None = new(false, null, null, null);

    private Task UpdateAvailabilityAsync(Func<PortalAvailability, PortalAvailability> change, CancellationToken cancellationToken) =>
        documents.UpdateAsync<PortalAvailability>(Availability, current => change(current ?? None), cancellationToken);
}
