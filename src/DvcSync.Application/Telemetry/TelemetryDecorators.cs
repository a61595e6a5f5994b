using DvcSync.Application.Indicators;
using DvcSync.Application.Reconciliation;
using DvcSync.Application.Repair;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Telemetry;

/// <summary>Counts repairs by outcome; a handler that throws counts as <c>failed</c> and still throws.</summary>
public sealed class MeteredRepairHandler(RepairHandler inner, SyncTelemetry telemetry) : IRepairHandler
{
    public async Task<IReadOnlyList<RepairOutcome>> HandleBatchAsync(IReadOnlyList<RepairRequest> requests, CancellationToken cancellationToken)
    {
        try
        {
            var outcomes = await inner.HandleBatchAsync(requests, cancellationToken);
            foreach (var outcome in outcomes) telemetry.Repairs.Add(1, new KeyValuePair<string, object?>("outcome", OutcomeName(outcome)));
            return outcomes;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            telemetry.Repairs.Add(requests.Count, new KeyValuePair<string, object?>("outcome", "failed"));
            throw;
        }
    }

    public static string OutcomeName(RepairOutcome outcome) => outcome switch
    {
        RepairOutcome.Synced => "synced",
        RepairOutcome.AlreadyCurrent => "already_current",
        RepairOutcome.Rejected => "rejected",
        RepairOutcome.RetryScheduled => "retry_scheduled",
        RepairOutcome.Abandoned => "abandoned",
        RepairOutcome.Deferred => "deferred",
        RepairOutcome.Superseded => "superseded",
        _ => outcome.ToString().ToLowerInvariant(),
    };
}

/// <summary>Counts abandoned dossiers drained from the poison queue, for the same alert as give-ups.</summary>
public sealed class MeteredPoisonDrainHandler(PoisonDrainHandler inner, SyncTelemetry telemetry) : IPoisonDrainHandler
{
    public async Task HandleMessageAsync(string message, string messageId, CancellationToken cancellationToken)
    {
        await inner.HandleMessageAsync(message, messageId, cancellationToken);
        telemetry.Repairs.Add(1, new KeyValuePair<string, object?>("outcome", "abandoned"), new KeyValuePair<string, object?>("source", "poison"));
    }
}

/// <summary>
/// Counts runs and what they found, then refreshes the gauges the alerts read: the province's sync rate this month,
/// the queue depth and the poison count. Refreshing after each run keeps the gauges one query per schedule period.
/// A run its time budget ended counts as <c>sliced</c> when it moved the watermark (alive, catching up), <c>stalled</c>
/// when it did not.
/// </summary>
public sealed class MeteredReconcileHandler(
    ReconcileHandler inner,
    SyncRateQuery syncRate,
    IRepairQueue queue,
    SyncTelemetry telemetry,
    TimeProvider clock,
    ILogger<MeteredReconcileHandler> logger) : IReconcileHandler
{
    public Task<ReconcileRun?> RunAsync(CancellationToken cancellationToken) => MeasureAsync(inner.RunAsync, cancellationToken);

    public Task<ReconcileRun?> RunSliceAsync(TimeSpan budget, CancellationToken cancellationToken) =>
        MeasureAsync(ct => inner.RunSliceAsync(budget, ct), cancellationToken);

    private async Task<ReconcileRun?> MeasureAsync(Func<CancellationToken, Task<ReconcileRun?>> runAsync, CancellationToken cancellationToken)
    {
        ReconcileRun? run;
        try
        {
            run = await runAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            telemetry.ReconcileRuns.Add(1, new KeyValuePair<string, object?>("result", "failed"));
            throw;
        }

        if (run is null)
        {
            telemetry.ReconcileRuns.Add(1, new KeyValuePair<string, object?>("result", "skipped"));
            return run;
        }
        var result = run.FinishedAt is not null ? "finished" : run.ReadUpTo is not null ? "sliced" : "stalled";
        telemetry.ReconcileRuns.Add(1, new KeyValuePair<string, object?>("result", result));
        telemetry.DossiersChecked.Add(run.DossiersChecked);
        telemetry.Mismatches.Add(run.MismatchesFound);
        await RefreshGaugesAsync(cancellationToken);
        return run;
    }

    private async Task RefreshGaugesAsync(CancellationToken cancellationToken)
    {
        try
        {
            var today = VnTime.Day(clock.GetUtcNow());
            var month = await syncRate.HandleAsync(new PeriodQuery(new DateOnly(today.Year, today.Month, 1), today), null, cancellationToken);
            telemetry.SetGauges(month.Value?.Rate,
                await queue.GetApproximateDepthAsync(cancellationToken),
                await queue.GetPoisonDepthAsync(cancellationToken));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The run itself succeeded; stale gauges are better than a failed run. The log says why.
            logger.LogWarning(e, "The sync-rate gauges could not be refreshed");
        }
    }
}
