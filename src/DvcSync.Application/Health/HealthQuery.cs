using DvcSync.Application.Configuration;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Health;

public sealed record ReconciliationHealth(
    string? LastStartedAt,
    string? LastFinishedAt,
    long DossiersChecked,
    long MismatchesFound,
    long PortalLookups,
    long RepairsQueued,
    string? LastError)
{
    /// <summary>How far the reconciliation has read the provincial system's changes (its watermark).</summary>
    public string? ReadUpTo { get; init; }

    /// <summary>No run has finished its window lately, but runs keep moving the watermark: a long (first) run, sliced.</summary>
    public bool CatchingUp { get; init; }
}

/// <summary>
/// How fresh the portal is (<see cref="Telemetry.FreshnessWindow"/>): the time from a dossier's change at the source to
/// the confirmation that the portal holds that version, over the last hour as this process saw it (p50, p95, max, in
/// seconds; null while nothing was confirmed), and what still waits: the dossiers in the repair's hands and the
/// oldest source change among them (<see cref="LedgerEntry.ChangedAt"/>; for an entry recorded before change times
/// were kept, the time its repair was found needed or first failed). A change the reconciliation has not read yet is
/// not among them; it is read at the next run, and <c>reconciliation.readUpTo</c> shows how far the runs have read.
/// </summary>
public sealed record FreshnessHealth(
    int WindowMinutes,
    long Count,
    double? P50Seconds,
    double? P95Seconds,
    double? MaxSeconds,
    long WaitingRepairs,
    string? OldestWaitingSince,
    double? OldestWaitingSeconds)
{
    /// <summary>True when more dossiers wait than <see cref="HealthQuery.WaitingScanLimit"/>: the count and the oldest are of those read.</summary>
    public bool WaitingCountIsPartial { get; init; }
}

/// <param name="Refusal">While the portal refuses this project's requests as malformed: what it said and what to check.</param>
public sealed record PortalHealth(string Circuit, string? LastSuccessAt, string? LastFailureAt, string? LastFailure, string? Refusal);

public sealed record HealthReport(
    string Status,
    IReadOnlyList<string> Problems,
    ReconciliationHealth? Reconciliation,
    long? RetryQueueDepth,
    long? PoisonCount,
    PortalHealth? Portal,
    string CheckedAt)
{
    /// <summary>The current or last full audit and its progress; left out of the answer when none was ever requested.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Audit.AuditView? Audit { get; init; }

    /// <summary>Freshness over the last hour and the oldest change still waiting; left out by a host that keeps no window.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public FreshnessHealth? Freshness { get; init; }
}

/// <summary>
/// The pipeline's health for people and probes: unhealthy (503) when storage is unreachable, reconciliation has
/// stalled — neither a run finished nor a run moved the watermark within the stall limit — or the portal refuses the
/// project's requests as malformed (a configuration only an operator can fix), degraded when something needs
/// attention but the pipeline still moves (a long run catching up included), healthy otherwise.
/// </summary>
public sealed class HealthQuery(IStorageProbe storage, IPipelineState state, IRepairQueue queue, IAuditStore audits, SyncOptions options, TimeProvider clock,
    Telemetry.FreshnessWindow? freshness = null, ISyncLedger? ledger = null)
{
    /// <summary>Most in-repair entries one health answer reads to find the oldest waiting (a backlog after an outage is larger).</summary>
    public const int WaitingScanLimit = 10_000;

    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";

    public async Task<HealthReport> HandleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var problems = new List<string>();
        var storageProblem = await storage.CheckAsync(cancellationToken);
        if (storageProblem is not null)
            return new HealthReport(Unhealthy, [storageProblem], null, null, null, null, VnTime.FormatIso(now));

        var (lastStarted, lastFinished) = await state.GetRunsAsync(cancellationToken);
        var watermark = await state.GetWatermarkAsync(cancellationToken);
        var depth = await queue.GetApproximateDepthAsync(cancellationToken);
        var poison = await queue.GetPoisonDepthAsync(cancellationToken);
        var portal = await state.GetPortalAvailabilityAsync(cancellationToken);

        var status = Healthy;
        var stallLimit = TimeSpan.FromTicks(Math.Max(options.SchedulePeriod(now).Ticks * 3, TimeSpan.FromHours(1).Ticks));
        var finishedAt = lastFinished?.FinishedAt;
        // A run that checkpoints pages is alive even before it finishes its window (a first run takes hours, in slices
        // on the Functions host); a fresh deployment that has done neither yet is judged from its first start.
        var movedAt = watermark?.MovedAt;
        var sinceWhen = Latest(finishedAt, movedAt) ?? lastStarted?.StartedAt;
        var catchingUp = false;
        if (sinceWhen is { } since && now - since > stallLimit)
        {
            status = Unhealthy;
            problems.Add($"no reconciliation has finished or moved its watermark since {VnTime.FormatIso(since)} (limit {stallLimit})");
        }
        else if (movedAt is { } moved && (finishedAt is null || now - finishedAt.Value > stallLimit))
        {
            catchingUp = true;
            status = Degraded;
            problems.Add($"catching up: the reconciliation has read the provincial changes up to {VnTime.FormatIso(watermark!.ReadUpTo)} "
                         + $"(moved {VnTime.FormatIso(moved)}); no run has finished its window "
                         + (finishedAt is { } lastEnd ? "since " + VnTime.FormatIso(lastEnd) : "yet"));
        }
        if (lastStarted?.Error is { } error)
        {
            status = status == Unhealthy ? status : Degraded;
            problems.Add("the last reconciliation failed: " + error);
        }
        if (poison > 0)
        {
            status = status == Unhealthy ? status : Degraded;
            problems.Add($"{poison} repair messages in the poison queue");
        }
        if (portal.Refusal is { } refusal)
        {
            status = Unhealthy;
            problems.Add($"the national portal refuses this project's requests as malformed since {VnTime.FormatIso(portal.RefusedAt ?? now)}: {refusal}. "
                         + "Repairs are deferred without spending attempts and the reconciliation stops until a call succeeds");
        }
        else if (portal.CircuitOpen)
        {
            status = status == Unhealthy ? status : Degraded;
            problems.Add("the national portal is unavailable (circuit open)");
        }

        var audit = await audits.GetAsync(cancellationToken);
        if (audit is { Error: { } auditError } && AuditStatus.IsActive(audit.Status))
        {
            status = status == Unhealthy ? status : Degraded;
            problems.Add($"the audit {audit.Id} stopped on an error and will resume: {auditError}");
        }

        var run = lastFinished ?? lastStarted;
        return new HealthReport(
            status,
            problems,
            run is null ? null : new ReconciliationHealth(
                lastStarted is null ? null : VnTime.FormatIso(lastStarted.StartedAt),
                finishedAt is { } f ? VnTime.FormatIso(f) : null,
                run.DossiersChecked,
                run.MismatchesFound,
                run.PortalLookups,
                run.RepairsQueued,
                lastStarted?.Error)
            {
                ReadUpTo = watermark is null ? null : VnTime.FormatIso(watermark.ReadUpTo),
                CatchingUp = catchingUp,
            },
            depth,
            poison,
            new PortalHealth(portal.CircuitOpen ? "open" : "closed",
                portal.LastSuccessAt is { } s ? VnTime.FormatIso(s) : null,
                portal.LastFailureAt is { } fa ? VnTime.FormatIso(fa) : null,
                portal.LastFailure,
                portal.Refusal),
            VnTime.FormatIso(now))
        {
            Audit = audit is null ? null : Audit.AuditView.Of(audit),
            Freshness = freshness is null ? null : await FreshnessAsync(freshness, now, cancellationToken),
        };
    }

    private async Task<FreshnessHealth> FreshnessAsync(Telemetry.FreshnessWindow window, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var figures = window.Figures();
        long waiting = 0;
        DateTimeOffset? oldest = null;
        var partial = false;
        if (ledger is not null)
            await foreach (var entry in ledger.GetInRepairAsync(cancellationToken))
            {
                if (waiting == WaitingScanLimit)
                {
                    partial = true;
                    break;
                }
                waiting++;
                var since = entry.ChangedAt ?? (entry.FailingSince is { } failing && failing < entry.UpdatedAt ? failing : entry.UpdatedAt);
                if (oldest is null || since < oldest) oldest = since;
            }
        return new FreshnessHealth((int)Telemetry.FreshnessWindow.Window.TotalMinutes, figures.Count, figures.P50Seconds, figures.P95Seconds, figures.MaxSeconds,
            waiting, oldest is { } o ? VnTime.FormatIso(o) : null, oldest is { } at ? Math.Round(Math.Max(0, (now - at).TotalSeconds), 1) : null)
        {
            WaitingCountIsPartial = partial,
        };
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
