namespace DvcSync.Core.Indicators;

/// <summary>One agency's figures on one Vietnamese calendar day.</summary>
public sealed record AgencyDay(string MaDonVi, DateOnly Day);

/// <summary>What the ledger knows of one agency-day: dossiers seen with that NgayTiepNhan, and those the portal holds.</summary>
public sealed record LedgerDayCount(string MaDonVi, DateOnly Day, long Seen, long Synced);

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
    private readonly Dictionary<AgencyDay, long> _reported = new();
    private readonly Dictionary<AgencyDay, (long Seen, long Synced)> _ledger = new();

    public SyncRateCalculator(IEnumerable<(string MaDonVi, DateOnly Day, long Count)> reportedReceived, IEnumerable<LedgerDayCount> ledgerCounts)
    {
        foreach (var (agency, day, count) in reportedReceived)
        {
            var key = new AgencyDay(agency, day);
            _reported[key] = _reported.GetValueOrDefault(key) + count;
        }
        foreach (var count in ledgerCounts)
        {
            var key = new AgencyDay(count.MaDonVi, count.Day);
            var (seen, synced) = _ledger.GetValueOrDefault(key);
            _ledger[key] = (seen + count.Seen, synced + count.Synced);
        }
    }

    /// <summary>The figures of each day in the period, for a trend; days with nothing received or seen are left out.</summary>
    public IReadOnlyList<(DateOnly Day, SyncRateFigures Figures)> Daily(IReadOnlySet<string> agencies, DateOnly from, DateOnly to)
    {
        var days = new SortedDictionary<DateOnly, (long Received, long Synced)>();
        foreach (var key in _reported.Keys.Concat(_ledger.Keys).Distinct())
        {
            if (!agencies.Contains(key.MaDonVi) || key.Day < from || key.Day > to) continue;
            var (seen, held) = _ledger.GetValueOrDefault(key);
            var (received, synced) = days.GetValueOrDefault(key.Day);
            days[key.Day] = (received + Math.Max(_reported.GetValueOrDefault(key), seen), synced + held);
        }
        return days.Where(d => d.Value.Received > 0 || d.Value.Synced > 0)
            .Select(d => (d.Key, new SyncRateFigures(d.Value.Received, d.Value.Synced))).ToList();
    }

    public SyncRateFigures For(IReadOnlySet<string> agencies, DateOnly from, DateOnly to)
    {
        long received = 0, synced = 0;
        foreach (var key in _reported.Keys.Concat(_ledger.Keys).Distinct())
        {
            if (!agencies.Contains(key.MaDonVi) || key.Day < from || key.Day > to) continue;
            var reported = _reported.GetValueOrDefault(key);
            var (seen, held) = _ledger.GetValueOrDefault(key);
            received += Math.Max(reported, seen);
            synced += held;
        }
        return new SyncRateFigures(received, synced);
    }
}
