using System.Diagnostics.Metrics;

namespace DvcSync.Application.Telemetry;

/// <summary>
/// The pipeline's metrics, under the names the alerts of <c>infra/</c> and docs/operations.md read. Tags carry codes
/// and outcomes only — never a dossier's content; a dossier is named by MaHoSo in traces and logs, not in metrics.
/// </summary>
public sealed class SyncTelemetry
{
    public const string MeterName = "DvcSync";

    private double? _syncRate;
    private long? _queueDepth;
    private long? _poisonCount;

    public SyncTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        Repairs = meter.CreateCounter<long>("dvcsync.repairs", "{repair}", "Repairs by outcome: synced, rejected, retry_scheduled, deferred, abandoned, already_current");
        ReconcileRuns = meter.CreateCounter<long>("dvcsync.reconcile.runs", "{run}", "Reconciliation runs by result: finished, sliced (a time budget ended it after it moved the watermark), stalled (ended by its budget without), failed, skipped");
        DossiersChecked = meter.CreateCounter<long>("dvcsync.reconcile.dossiers_checked", "{dossier}", "Dossiers checked against the portal");
        Mismatches = meter.CreateCounter<long>("dvcsync.reconcile.mismatches", "{dossier}", "Dossiers found missing or stale on the portal");
        PortalCalls = meter.CreateCounter<long>("dvcsync.portal.calls", "{call}", "Calls to the national portal by service and outcome");
        PortalCallDuration = meter.CreateHistogram<double>("dvcsync.portal.call.duration", "ms", "Duration of a portal call, sign-in, rate gate and retries included");
        PortalHttpRequests = meter.CreateCounter<long>("dvcsync.portal.http_requests", "{request}", "HTTP requests sent to the portal: sign-ins, service calls, repeats after a renewal and retries");
        PortalSignIns = meter.CreateCounter<long>("dvcsync.portal.sign_ins", "{sign-in}", "Sign-ins to the portal by result: succeeded, failed (credentials refused or the portal unreachable)");
        PortalSessionRenewals = meter.CreateCounter<long>("dvcsync.portal.session_renewals", "{session}", "Sessions the portal declared expired (-2), each followed by one new sign-in");
        Freshness = meter.CreateHistogram<double>("dvcsync.freshness", "s", "Time from a dossier's change at the source (NgayCapNhat) to the confirmation that the portal holds that version: a look-up that finds it or an acknowledged write");
        PortalThrottled = meter.CreateCounter<long>("dvcsync.portal.throttled", "{answer}", "HTTP 429 answers of the portal");
        meter.CreateObservableGauge("dvcsync.sync_rate", () => Observe(_syncRate), "1", "Indicator 1.4 for the province, this month so far, as of the last reconciliation");
        meter.CreateObservableGauge("dvcsync.queue.depth", () => Observe(_queueDepth), "{message}", "Repair messages waiting, as of the last reconciliation");
        meter.CreateObservableGauge("dvcsync.poison_messages", () => Observe(_poisonCount), "{message}", "Messages in the poison queue, as of the last reconciliation");
    }

    public Counter<long> Repairs { get; }
    public Counter<long> ReconcileRuns { get; }
    public Counter<long> DossiersChecked { get; }
    public Counter<long> Mismatches { get; }
    public Counter<long> PortalCalls { get; }
    public Histogram<double> PortalCallDuration { get; }
    public Counter<long> PortalHttpRequests { get; }
    public Counter<long> PortalSignIns { get; }
    public Counter<long> PortalSessionRenewals { get; }
    public Counter<long> PortalThrottled { get; }
    /// <summary>Seconds from the source's change to the portal's confirmed copy (<see cref="FreshnessWindow"/>).</summary>
    public Histogram<double> Freshness { get; }

    public void SetGauges(double? syncRate, long? queueDepth, long? poisonCount)
    {
        _syncRate = syncRate;
        _queueDepth = queueDepth;
        _poisonCount = poisonCount;
    }

    private static IEnumerable<Measurement<T>> Observe<T>(T? value) where T : struct =>
        value is { } v ? [new Measurement<T>(v)] : [];
}
