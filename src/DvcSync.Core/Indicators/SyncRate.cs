namespace DvcSync.Core.Indicators;

/// <summary>One agency's figures on one Vietnamese calendar day.</summary>
public sealed record AgencyDay(string MaDonVi, DateOnly Day);

/// <summary>
/// What the ledger knows of one agency-day: dossiers seen with that NgayTiepNhan, those the portal holds, and the
/// provincial system's own received count for the day as last read.
/// </summary>
public sealed record LedgerDayCount(string MaDonVi, DateOnly Day, long Seen, long Synced, long Reported = 0)
{
    public long Received => Math.Max(Reported, Seen);
}

/// <summary>
/// A month of one agency, rolled up as the ledger changes: Σ over its days of max(reported, seen), and Σ synced. A
/// year-long query reads twelve of these per agency instead of 365 day rows.
/// </summary>
public sealed record LedgerMonthCount(string MaDonVi, DateOnly Month, long Received, long Synced);

/// <summary>
/// Points earned by a rate: linear up to the threshold (indicators-766.md). Both numbers are configuration, since
/// the Government Office has changed weights over time.
/// </summary>
public sealed record IndicatorScoring(double MaxPoints, double Threshold)
{
    public double Points(double? rate)
    {
        if (rate is not { } r || MaxPoints <= 0 || Threshold <= 0) return 0;
        return Math.Min(MaxPoints, r / Threshold * MaxPoints);
    }
}

public sealed record SyncRateFigures(long Received, long Synced)
{
    /// <summary>Unrounded; null when nothing was received (the portal's fallback to last year is not reproduced).</summary>
    public double? Rate => Received == 0 ? null : (double)Synced / Received;
}

/// <summary>
/// Indicator 1.4: dossiers received in the period that the portal holds ÷ dossiers received. The denominator is
/// the provincial system's received count or the number of dossiers the project has seen, whichever is larger,
/// compared per agency and day and then summed — so neither a lagging report nor an unreported dossier
/// flatters the rate.
/// </summary>
public sealed class SyncRateCalculator
{
    private readonly Dictionary<AgencyDay, (long Seen, long Synced, long Reported)> _days = new();
    private readonly Dictionary<AgencyDay, (long Received, long Synced)> _months = new();

    /// <param name="dayCounts">Day rows, with the provincial system's reported count: each counts unless its whole month is given in <paramref name="monthCounts"/>.</param>
    /// <param name="monthCounts">Month roll-ups, keyed by the first day of the month; used only for months wholly in a period.</param>
    public SyncRateCalculator(IEnumerable<LedgerDayCount> dayCounts, IEnumerable<LedgerMonthCount>? monthCounts = null)
    {
        foreach (var month in monthCounts ?? [])
        {
            var key = new AgencyDay(month.MaDonVi, month.Month);
            var (received, synced) = _months.GetValueOrDefault(key);
            _months[key] = (received + month.Received, synced + month.Synced);
        }
        foreach (var count in dayCounts)
        {
            var key = new AgencyDay(count.MaDonVi, count.Day);
            var (seen, synced, reported) = _days.GetValueOrDefault(key);
            _days[key] = (seen + count.Seen, synced + count.Synced, reported + count.Reported);
        }
    }

    private static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>Whether a whole month lies in the period, so its roll-up can stand for its days.</summary>
    public static bool WholeMonthIn(DateOnly month, DateOnly from, DateOnly to) => month >= from && month.AddMonths(1).AddDays(-1) <= to;

    /// <summary>The figures of each day in the period, for a trend; days with nothing received or seen are left out.</summary>
    public IReadOnlyList<(DateOnly Day, SyncRateFigures Figures)> Daily(IReadOnlySet<string> agencies, DateOnly from, DateOnly to)
    {
        var days = new SortedDictionary<DateOnly, (long Received, long Synced)>();
        foreach (var (key, (seen, held, reported)) in _days)
        {
            if (!agencies.Contains(key.MaDonVi) || key.Day < from || key.Day > to) continue;
            var (received, synced) = days.GetValueOrDefault(key.Day);
            days[key.Day] = (received + Math.Max(reported, seen), synced + held);
        }
        return days.Where(d => d.Value.Received > 0 || d.Value.Synced > 0)
            .Select(d => (d.Key, new SyncRateFigures(d.Value.Received, d.Value.Synced))).ToList();
    }

    public SyncRateFigures For(IReadOnlySet<string> agencies, DateOnly from, DateOnly to)
    {
        long received = 0, synced = 0;
        var rolledUp = new HashSet<AgencyDay>();
        foreach (var (key, month) in _months)
        {
            if (!agencies.Contains(key.MaDonVi) || !WholeMonthIn(key.Day, from, to)) continue;
            rolledUp.Add(key);
            received += month.Received;
            synced += month.Synced;
        }
        foreach (var (key, (seen, held, reported)) in _days)
        {
            if (!agencies.Contains(key.MaDonVi) || key.Day < from || key.Day > to) continue;
            if (rolledUp.Contains(new AgencyDay(key.MaDonVi, MonthOf(key.Day)))) continue;
            received += Math.Max(reported, seen);
            synced += held;
        }
        return new SyncRateFigures(received, synced);
    }
}
