using Cronos;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Retry;

namespace DvcSync.Application.Configuration;

/// <summary>
/// The <c>Sync</c> and <c>Indicators</c> settings (sync-api.md), read and checked once at start: a bad value stops
/// the program with a message naming its key, rather than surfacing as odd behaviour at 3 a.m.
/// </summary>
public sealed class SyncOptions
{
    public const string DefaultSchedule = "0 */5 * * * *";

    /// <summary>Every minute: a requested audit starts within a minute in the Functions host.</summary>
    public const string DefaultAuditSchedule = "30 * * * * *";

    public required string ReconcileSchedule { get; init; }
    public required CronExpression Schedule { get; init; }
    public required DateTimeOffset HistoryFrom { get; init; }

    /// <summary>How far behind its watermark the reconciliation reads again, for the two systems' clock skew.</summary>
    public TimeSpan ReconcileOverlap { get; init; } = TimeSpan.FromMinutes(5);

    public int PageSize { get; init; } = 500;

    /// <summary>Portal look-ups in flight at once; the client's rate ceiling still decides the pace.</summary>
    public int LookupConcurrency { get; init; } = 16;

    /// <summary>A pending or retrying entry whose time is this far past is taken as lost and queued again.</summary>
    public TimeSpan LostRepairGrace { get; init; } = TimeSpan.FromMinutes(15);

    public RetrySchedule Retry { get; init; } = RetrySchedule.Default;

    public IndicatorScoring SyncRateScoring { get; init; } = new(2.0, 1.0);

    /// <summary>
    /// How long a reconciliation holds its lease without renewing it (it renews after every page). Short, so that a
    /// run on a process that died is taken over soon; longer than the slowest page.
    /// </summary>
    public TimeSpan ReconcileLease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The same for an audit, which renews its lease after every page and every ten seconds between them.</summary>
    public TimeSpan AuditLease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The portal circuit: transient failures in a row that open it, and its first and longest break.</summary>
    public int CircuitFailureThreshold { get; init; } = 5;
    public TimeSpan CircuitBreak { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan CircuitMaxBreak { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>NCRONTAB of the Functions timer that runs a slice of the active audit (the standalone host runs it at once).</summary>
    public string AuditSchedule { get; init; } = DefaultAuditSchedule;

    /// <summary>How often the standalone host looks for an audit requested elsewhere or left half-done.</summary>
    public TimeSpan AuditPoll { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one Functions timer slice runs before it checkpoints and yields: inside the host's functionTimeout
    /// (10 minutes in host.json), so the platform never kills a slice that was about to save its page.
    /// </summary>
    public TimeSpan AuditSlice { get; init; } = TimeSpan.FromMinutes(8);

    /// <summary>
    /// The Functions host's reconciliation budget when <c>Sync:ReconcileSliceMinutes</c> is not set: with the pages in
    /// flight, the bounded sweep and the roll-up copies after it, a slice ends well inside functionTimeout (10 minutes).
    /// </summary>
    public static readonly TimeSpan DefaultReconcileSlice = TimeSpan.FromMinutes(7);

    /// <summary>
    /// <c>Sync:ReconcileSliceMinutes</c>: how long one reconciliation takes new pages before it lets those in flight
    /// checkpoint, sweeps and saves its progress; the next run resumes from the watermark. Null when not set: the
    /// standalone host then runs each reconciliation to the end of its window, the Functions host for
    /// <see cref="DefaultReconcileSlice"/>.
    /// </summary>
    public TimeSpan? ReconcileSlice { get; init; }

    /// <summary>The period between two scheduled runs, as health judges staleness by it.</summary>
    public TimeSpan SchedulePeriod(DateTimeOffset now)
    {
        var next = Schedule.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc);
        var after = next is { } n ? Schedule.GetNextOccurrence(n, TimeZoneInfo.Utc) : null;
        return next is { } a && after is { } b ? b - a : TimeSpan.FromMinutes(5);
    }

    public static SyncOptions FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration configuration, TimeProvider clock)
    {
        var schedule = configuration["Sync:ReconcileSchedule"] is { Length: > 0 } s ? s : DefaultSchedule;
        var cron = ParseSchedule("Sync:ReconcileSchedule", schedule);
        var auditSchedule = configuration["Sync:AuditSchedule"] is { Length: > 0 } a ? a : DefaultAuditSchedule;
        ParseSchedule("Sync:AuditSchedule", auditSchedule);

        var today = VnTime.Day(clock.GetUtcNow());
        var historyFrom = VnTime.StartOfDay(new DateOnly(today.Year - 1, 1, 1));
        if (configuration["Sync:HistoryFrom"] is { Length: > 0 } h)
        {
            if (!DateOnly.TryParseExact(h, "yyyy-MM-dd", out var day))
                throw new InvalidOperationException($"Sync:HistoryFrom '{h}' is not a date of the form yyyy-MM-dd");
            if (!VnTime.IsSupported(day))
                throw new InvalidOperationException($"Sync:HistoryFrom '{h}' is outside the supported dates, {VnTime.SupportedRange}");
            historyFrom = VnTime.StartOfDay(day);
        }

        return new SyncOptions
        {
            ReconcileSchedule = schedule,
            Schedule = cron,
            HistoryFrom = historyFrom,
            ReconcileOverlap = TimeSpan.FromMinutes(ReadDouble(configuration, "Sync:ReconcileOverlapMinutes", 5, 0, 24 * 60)),
            PageSize = (int)ReadDouble(configuration, "Sync:PageSize", 500, 1, 1000),
            LookupConcurrency = (int)ReadDouble(configuration, "Sync:LookupConcurrency", 16, 1, 256),
            LostRepairGrace = TimeSpan.FromMinutes(ReadDouble(configuration, "Sync:LostRepairGraceMinutes", 15, 0.1, 7 * 24 * 60)),
            Retry = new RetrySchedule(
                TimeSpan.FromSeconds(ReadDouble(configuration, "Sync:RetryBaseSeconds", 30, 0.01, 24 * 3600)),
                TimeSpan.FromMinutes(ReadDouble(configuration, "Sync:RetryMaxMinutes", 60, 0.01, 6 * 24 * 60)),
                TimeSpan.FromHours(ReadDouble(configuration, "Sync:GiveUpHours", 24, 0.001, 24 * 30))),
            ReconcileLease = TimeSpan.FromSeconds(ReadDouble(configuration, "Sync:ReconcileLeaseSeconds", 120, 1, 3600)),
            AuditLease = TimeSpan.FromSeconds(ReadDouble(configuration, "Sync:AuditLeaseSeconds", 120, 1, 3600)),
            CircuitFailureThreshold = (int)ReadDouble(configuration, "Sync:CircuitFailureThreshold", 5, 1, 1000),
            CircuitBreak = TimeSpan.FromSeconds(ReadDouble(configuration, "Sync:CircuitBreakSeconds", 30, 0.1, 3600)),
            CircuitMaxBreak = TimeSpan.FromMinutes(ReadDouble(configuration, "Sync:CircuitMaxBreakMinutes", 5, 0.01, 24 * 60)),
            AuditSchedule = auditSchedule,
            AuditPoll = TimeSpan.FromSeconds(ReadDouble(configuration, "Sync:AuditPollSeconds", 30, 0.1, 3600)),
            AuditSlice = TimeSpan.FromMinutes(ReadDouble(configuration, "Sync:AuditSliceMinutes", 8, 0.1, 60)),
            ReconcileSlice = string.IsNullOrEmpty(configuration["Sync:ReconcileSliceMinutes"])
                ? null
                : TimeSpan.FromMinutes(ReadDouble(configuration, "Sync:ReconcileSliceMinutes", 0, 0.01, 60)),
            SyncRateScoring = new IndicatorScoring(
                ReadDouble(configuration, "Indicators:SyncRate:MaxPoints", 2.0, 0, 100),
                ReadDouble(configuration, "Indicators:SyncRate:Threshold", 1.0, 0.0001, 1)),
        };
    }

    private static CronExpression ParseSchedule(string key, string schedule)
    {
        try
        {
            if (schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6) throw new CronFormatException("six fields expected");
            return CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
        }
        catch (CronFormatException e)
        {
            throw new InvalidOperationException($"{key} '{schedule}' is not an NCRONTAB expression of six fields (second minute hour day month weekday): {e.Message}", e);
        }
    }

    private static double ReadDouble(Microsoft.Extensions.Configuration.IConfiguration configuration, string key, double fallback, double min, double max)
    {
        var text = configuration[key];
        if (string.IsNullOrEmpty(text)) return fallback;
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidOperationException($"{key} '{text}' must be a number from {min} to {max}");
        return value;
    }
}
