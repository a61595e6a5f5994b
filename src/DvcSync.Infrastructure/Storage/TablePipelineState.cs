using System.Net;
using Azure;
using Azure.Data.Tables;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>The reconciliation's watermark, lease and run records, and the portal's last known availability.</summary>
internal sealed class TablePipelineState(TableClient table, TimeProvider clock) : IPipelineState
{
    private const string ReconcilePartition = "reconcile";
    private const string PortalPartition = "portal";

    public async Task<ReconcileWatermark?> GetWatermarkAsync(CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(ReconcilePartition, "watermark", cancellationToken: cancellationToken);
        return row.HasValue && row.Value!.GetDateTimeOffset("ReadUpTo") is { } at
            ? new ReconcileWatermark(at, row.Value.ETag.ToString(), row.Value.GetDateTimeOffset("UpdatedAt"))
            : null;
    }

    public async Task AdvanceWatermarkAsync(DateTimeOffset readUpTo, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(ReconcilePartition, "watermark", cancellationToken: cancellationToken);
            var entity = new TableEntity(ReconcilePartition, "watermark") { ["ReadUpTo"] = readUpTo, ["UpdatedAt"] = clock.GetUtcNow() };
            try
            {
                if (!current.HasValue)
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                    return;
                }
                if (current.Value!.GetDateTimeOffset("ReadUpTo") >= readUpTo) return;
                await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
                return;
            }
            catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
            {
                // Another run moved it meanwhile; look again, it may already be further.
            }
        }
        throw new InvalidOperationException("The reconciliation watermark kept changing under this run");
    }

    private readonly TableLease _lease = new(table, ReconcilePartition, "lease", clock);

    public Task<bool> TryAcquireReconcileLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        _lease.TryAcquireAsync(owner, duration, cancellationToken);

    public Task ReleaseReconcileLeaseAsync(string owner, CancellationToken cancellationToken) => _lease.ReleaseAsync(owner, cancellationToken);

    public async Task SaveRunAsync(ReconcileRun run, CancellationToken cancellationToken)
    {
        await table.UpsertEntityAsync(ToEntity("run-last-started", run), TableUpdateMode.Replace, cancellationToken);
        if (run.FinishedAt is not null)
            await table.UpsertEntityAsync(ToEntity("run-last-finished", run), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<(ReconcileRun? LastStarted, ReconcileRun? LastFinished)> GetRunsAsync(CancellationToken cancellationToken)
    {
        var started = await table.GetEntityIfExistsAsync<TableEntity>(ReconcilePartition, "run-last-started", cancellationToken: cancellationToken);
        var finished = await table.GetEntityIfExistsAsync<TableEntity>(ReconcilePartition, "run-last-finished", cancellationToken: cancellationToken);
        return (started.HasValue ? ToRun(started.Value!) : null, finished.HasValue ? ToRun(finished.Value!) : null);
    }

    public Task RecordPortalCallAsync(bool succeeded, string? failure, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(PortalPartition, "availability");
        if (succeeded)
        {
            entity["LastSuccessAt"] = at;
            // A merge cannot remove a property: an empty refusal is none.
            entity["Refusal"] = "";
        }
        else
        {
            entity["LastFailureAt"] = at;
            entity["LastFailure"] = failure;
        }
        return table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
    }

    public Task RecordPortalRefusalAsync(string refusal, DateTimeOffset at, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(PortalPartition, "availability") { ["Refusal"] = refusal, ["RefusedAt"] = at },
            TableUpdateMode.Merge, cancellationToken);

    public Task RecordPortalCircuitAsync(bool open, DateTimeOffset at, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(PortalPartition, "availability") { ["CircuitOpen"] = open, ["CircuitChangedAt"] = at },
            TableUpdateMode.Merge, cancellationToken);

    public async Task<PortalAvailability> GetPortalAvailabilityAsync(CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PortalPartition, "availability", cancellationToken: cancellationToken);
        if (!row.HasValue) return new PortalAvailability(false, null, null, null);
        var e = row.Value!;
        return new PortalAvailability(e.GetBoolean("CircuitOpen") ?? false, e.GetDateTimeOffset("LastSuccessAt"),
            e.GetDateTimeOffset("LastFailureAt"), e.GetString("LastFailure"))
        {
            Refusal = e.GetString("Refusal") is { Length: > 0 } refusal ? refusal : null,
            RefusedAt = e.GetString("Refusal") is { Length: > 0 } ? e.GetDateTimeOffset("RefusedAt") : null,
        };
    }

    private static TableEntity ToEntity(string rowKey, ReconcileRun run) => new(ReconcilePartition, rowKey)
    {
        ["RunId"] = run.RunId,
        ["StartedAt"] = run.StartedAt,
        ["FinishedAt"] = run.FinishedAt,
        ["WindowFrom"] = run.WindowFrom,
        ["WindowTo"] = run.WindowTo,
        ["DossiersRead"] = run.DossiersRead,
        ["DossiersChecked"] = run.DossiersChecked,
        ["PortalLookups"] = run.PortalLookups,
        ["MismatchesFound"] = run.MismatchesFound,
        ["RepairsQueued"] = run.RepairsQueued,
        ["Error"] = run.Error,
        ["ReadUpTo"] = run.ReadUpTo,
    };

    private static ReconcileRun ToRun(TableEntity e) => new(
        e.GetString("RunId") ?? "",
        e.GetDateTimeOffset("StartedAt") ?? default,
        e.GetDateTimeOffset("FinishedAt"),
        e.GetDateTimeOffset("WindowFrom") ?? default,
        e.GetDateTimeOffset("WindowTo") ?? default,
        e.GetInt64("DossiersRead") ?? 0,
        e.GetInt64("DossiersChecked") ?? 0,
        e.GetInt64("PortalLookups") ?? 0,
        e.GetInt64("MismatchesFound") ?? 0,
        e.GetInt64("RepairsQueued") ?? 0,
        e.GetString("Error"),
        e.GetDateTimeOffset("ReadUpTo"));
}
