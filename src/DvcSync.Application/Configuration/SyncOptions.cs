using System.ComponentModel.DataAnnotations;
using Cronos;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Retry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.Application.Configuration;

/// <summary>
/// The <c>Sync</c> settings the handlers read (sync-api.md), checked once at start: a bad value stops the program with
/// a message naming its key, rather than surfacing as odd behaviour at 3 a.m. The settable properties are the keys, in
/// the units the README gives; the handlers read the typed views below them.
/// </summary>
public sealed class SyncOptions : IValidatableObject
{
    public const string SectionName = "Sync";

    /// <summary>
    /// Every 15 seconds: a change whose own push was lost is found at the next run and reaches the portal within about
    /// 20 s (the period, the look-up and the repair queue's 2 s poll), well inside the minute "real time" allows; a
    /// period's lost changes go out together in DongBoHoSoMC calls of up to 50. An idle run costs one provincial page
    /// read, no portal call and no new storage rows.
    /// </summary>
    public const string DefaultSchedule = "*/15 * * * * *";

    /// <summary>Every minute: a requested audit starts within a minute in the Functions host.</summary>
    public const string DefaultAuditSchedule = "30 * * * * *";

    /// <summary>
    /// The Functions host's reconciliation budget when <c>Sync:ReconcileSliceMinutes</c> is not set: with the pages in
    /// flight, the bounded sweep and the roll-up copies after it, a slice ends well inside functionTimeout (10 minutes).
    /// </summary>
    public static readonly TimeSpan DefaultReconcileSlice = TimeSpan.FromMinutes(7);

    /// <summary>NCRONTAB, six fields.</summary>
    public string ReconcileSchedule { get; set; } = DefaultSchedule;

    /// <summary>NCRONTAB of the Functions timer that runs a slice of the active audit (the standalone host runs it at once).</summary>
    public string AuditSchedule { get; set; } = DefaultAuditSchedule;

    /// <summary><c>Sync:HistoryFrom</c>, yyyy-MM-dd; <see cref="HistoryFrom"/> is the moment it stands for.</summary>
    [ConfigurationKeyName("HistoryFrom")]
    public string? HistoryFromDay { get; set; }

    /// <summary>How far behind its watermark the reconciliation reads again, for the two systems' clock skew.</summary>
    [SettingRange(0, 24 * 60)]
    public double ReconcileOverlapMinutes { get; set; } = 5;

    [SettingRange(1, 1000)]
    public int PageSize { get; set; } = 500;

    /// <summary>
    /// The most portal look-ups in flight at once. Not set: sized from the portal's ceiling and the measured cycle of
    /// a look-up (<see cref="Reconciliation.LookupWorkerSizer"/>); the rate ceiling decides the pace either way.
    /// </summary>
    [SettingRange(1, 256)]
    public int? LookupConcurrency { get; set; }

    /// <summary>
    /// Dossiers one <c>DongBoHoSoMC</c> call of the repair carries (the portal takes 1 to 50); 1 sends each dossier on
    /// its own, as before batching.
    /// </summary>
    [SettingRange(1, 50)]
    public int RepairBatchSize { get; set; } = 50;

    /// <summary>A pending or retrying entry whose time is this far past is taken as lost and queued again.</summary>
    [SettingRange(0.1, 7 * 24 * 60)]
    public double LostRepairGraceMinutes { get; set; } = 15;

    [SettingRange(0.01, 24 * 3600)]
    public double RetryBaseSeconds { get; set; } = 30;

    [SettingRange(0.01, 6 * 24 * 60)]
    public double RetryMaxMinutes { get; set; } = 60;

    [SettingRange(0.001, 24 * 30)]
    public double GiveUpHours { get; set; } = 24;

    /// <summary>
    /// How long a reconciliation holds its lease without renewing it (it renews after every page). Short, so that a
    /// run on a process that died is taken over soon; longer than the slowest page.
    /// </summary>
    [SettingRange(1, 3600)]
    public double ReconcileLeaseSeconds { get; set; } = 120;

    /// <summary>The same for an audit, which renews its lease after every page and every ten seconds between them.</summary>
    [SettingRange(1, 3600)]
    public double AuditLeaseSeconds { get; set; } = 120;

    /// <summary>The portal circuit: transient failures in a row that open it, and its first and longest break.</summary>
    [SettingRange(1, 1000)]
    public int CircuitFailureThreshold { get; set; } = 5;

    [SettingRange(0.1, 3600)]
    public double CircuitBreakSeconds { get; set; } = 30;

    [SettingRange(0.01, 24 * 60)]
    public double CircuitMaxBreakMinutes { get; set; } = 5;

    /// <summary>How often the standalone host looks for an audit requested elsewhere or left half-done.</summary>
    [SettingRange(0.1, 3600)]
    public double AuditPollSeconds { get; set; } = 30;

    /// <summary>
    /// How long one Functions timer slice runs before it checkpoints and yields: inside the host's functionTimeout
    /// (10 minutes in host.json), so the platform never kills a slice that was about to save its page.
    /// </summary>
    [SettingRange(0.1, 60)]
    public double AuditSliceMinutes { get; set; } = 8;

    /// <summary>
    /// How long one reconciliation takes new pages before it lets those in flight checkpoint, sweeps and saves its
    /// progress; the next run resumes from the watermark. Not set: the standalone host runs each reconciliation to the
    /// end of its window, the Functions host for <see cref="DefaultReconcileSlice"/>.
    /// </summary>
    [SettingRange(0.01, 60)]
    public double? ReconcileSliceMinutes { get; set; }

    /// <summary>Where the first reconciliation starts: <c>Sync:HistoryFrom</c>, or 1 January of the previous year (at start).</summary>
    public DateTimeOffset HistoryFrom { get; private set; }

    public CronExpression Schedule => _schedule ??= ParseSchedule(ReconcileSchedule);
    private CronExpression? _schedule;

    public TimeSpan ReconcileOverlap => TimeSpan.FromMinutes(ReconcileOverlapMinutes);
    public TimeSpan LostRepairGrace => TimeSpan.FromMinutes(LostRepairGraceMinutes);
    public RetrySchedule Retry => new(TimeSpan.FromSeconds(RetryBaseSeconds), TimeSpan.FromMinutes(RetryMaxMinutes), TimeSpan.FromHours(GiveUpHours));
    public TimeSpan ReconcileLease => TimeSpan.FromSeconds(ReconcileLeaseSeconds);
    public TimeSpan AuditLease => TimeSpan.FromSeconds(AuditLeaseSeconds);
    public TimeSpan CircuitBreak => TimeSpan.FromSeconds(CircuitBreakSeconds);
    public TimeSpan CircuitMaxBreak => TimeSpan.FromMinutes(CircuitMaxBreakMinutes);
    public TimeSpan AuditPoll => TimeSpan.FromSeconds(AuditPollSeconds);
    public TimeSpan AuditSlice => TimeSpan.FromMinutes(AuditSliceMinutes);
    public TimeSpan? ReconcileSlice => ReconcileSliceMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null;

    /// <summary>The period between two scheduled runs, as health judges staleness by it.</summary>
    public TimeSpan SchedulePeriod(DateTimeOffset now)
    {
        var next = Schedule.GetNextOccurrence(now.UtcDateTime, TimeZoneInfo.Utc);
        var after = next is { } n ? Schedule.GetNextOccurrence(n, TimeZoneInfo.Utc) : null;
        return next is { } a && after is { } b ? b - a : TimeSpan.FromMinutes(5);
    }

    /// <summary>Fixes <see cref="HistoryFrom"/> once, at start: the default moves with the year, a run must not.</summary>
    internal void ResolveHistoryFrom(DateTimeOffset now) =>
        HistoryFrom = VnTime.StartOfDay(TryHistoryDay(out var day) ? day : new DateOnly(VnTime.Day(now).Year - 1, 1, 1));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (key, schedule) in new[] { ("ReconcileSchedule", ReconcileSchedule), ("AuditSchedule", AuditSchedule) })
            if (ScheduleProblem($"{SectionName}:{key}", schedule) is { } problem)
                yield return new ValidationResult(problem);

        if (HistoryFromDay is { Length: > 0 } h && !TryHistoryDay(out _))
            yield return new ValidationResult(DateOnly.TryParseExact(h, "yyyy-MM-dd", out _)
                ? $"{SectionName}:HistoryFrom '{h}' is outside the supported dates, {VnTime.SupportedRange}"
                : $"{SectionName}:HistoryFrom '{h}' is not a date of the form yyyy-MM-dd");
    }

    private bool TryHistoryDay(out DateOnly day) =>
        DateOnly.TryParseExact(HistoryFromDay, "yyyy-MM-dd", out day) && VnTime.IsSupported(day);

    private static string? ScheduleProblem(string key, string schedule)
    {
        try
        {
            ParseSchedule(schedule);
            return null;
        }
        catch (CronFormatException e)
        {
            return $"{key} '{schedule}' is not an NCRONTAB expression of six fields (second minute hour day month weekday): {e.Message}";
        }
    }

    private static CronExpression ParseSchedule(string schedule)
    {
        if (schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6) throw new CronFormatException("six fields expected");
        return CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
    }
}

[OptionsValidator]
public sealed partial class SyncOptionsValidator : IValidateOptions<SyncOptions>;
