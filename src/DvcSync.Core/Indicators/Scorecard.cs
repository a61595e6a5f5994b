namespace DvcSync.Core.Indicators;

/// <summary>An indicator of the 766 set that dossiers decide, with its published name and its shipped scoring.</summary>
public sealed record ScorecardIndicator(string Id, string Name, IndicatorScoring DefaultScoring);

/// <summary>
/// The indicators the scorecard computes (indicators-766.md), in the order the portal lists them. The default
/// thresholds are the ones indicators-766.md gives (100% where it says "configured"). The default weights are
/// placeholders within the group totals until the province's dashboard says otherwise: 2.1 is the only indicator of
/// group 2 (20 points); the others take an equal share of their group (22 ÷ 5 = 4.4); 1.4 keeps the sync-rate
/// route's shipped 2 so that both routes give the same points.
/// </summary>
public static class Scorecard766
{
    public const string SyncRate = "1.4";
    public const string OnTime = "2.1";
    public const string OnlineSubmission = "3.3";
    public const string OnlinePayment = "3.6";
    public const string ElectronicResult = "4.1";
    public const string DigitisedReuse = "4.3";
    public const string PopulationData = "4.5";

    public static readonly IReadOnlyList<ScorecardIndicator> Indicators =
    [
        new(SyncRate, "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", new IndicatorScoring(2, 1.0)),
        new(OnTime, "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", new IndicatorScoring(20, 1.0)),
        new(OnlineSubmission, "Tỷ lệ hồ sơ nộp trực tuyến", new IndicatorScoring(4.4, 0.5)),
        new(OnlinePayment, "Tỷ lệ hồ sơ thanh toán trực tuyến", new IndicatorScoring(4.4, 1.0)),
        new(ElectronicResult, "Tỷ lệ hồ sơ có cấp kết quả điện tử", new IndicatorScoring(4.4, 1.0)),
        new(DigitisedReuse, "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa", new IndicatorScoring(4.4, 0.8)),
        new(PopulationData, "Ứng dụng dữ liệu dân cư", new IndicatorScoring(4.4, 1.0)),
    ];
}

/// <summary>
/// A scorecard period, both days inclusive, and the day open dossiers are judged on: the day after the period, or
/// today while the period is still running (a due day before it has wholly passed).
/// </summary>
public sealed record ScorePeriod(DateOnly From, DateOnly To, DateOnly EvaluationDay)
{
    public static ScorePeriod Of(DateOnly from, DateOnly to, DateOnly today)
    {
        var dayAfter = to.AddDays(1);
        return new ScorePeriod(from, to, dayAfter < today ? dayAfter : today);
    }

    public bool Contains(DateOnly day) => day >= From && day <= To;

    /// <summary>Whether every day from <paramref name="first"/> to <paramref name="last"/> lies in the period.</summary>
    public bool Covers(DateOnly first, DateOnly last) => first >= From && last <= To;

    /// <summary>
    /// A period of whole months (a month, a quarter, a year): the only kind the month roll-ups can answer exactly,
    /// since they name Ended-axis receptions by month.
    /// </summary>
    public static bool IsWholeMonths(DateOnly from, DateOnly to) => from.Day == 1 && to.AddDays(1).Day == 1 && from <= to;

    /// <summary>
    /// Whether open dossiers' due days can be judged by their month: the evaluation day is the first of a month, as it
    /// is for every finished period of whole months, so "due on or after it" is "due in its month or later". A running
    /// period (judged today) or one ending inside a month needs due days.
    /// </summary>
    public bool JudgesDueByMonth => EvaluationDay.Day == 1;
}

/// <summary>
/// An agency's 1.4 figures for the period: received (Σ per day of max(reported, seen), as the sync-rate route
/// computes it), the dossiers seen with NgayTiepNhan in the period, and those of them the portal holds.
/// </summary>
public sealed record SyncCounts(long Received, long Seen, long Synced)
{
    public static readonly SyncCounts Zero = new(0, 0, 0);

    public SyncCounts Plus(SyncCounts other) => new(Received + other.Received, Seen + other.Seen, Synced + other.Synced);
}

/// <summary>One agency's inputs: its 1.4 figures and its counters summed over the period's rows (<see cref="ScoreRows.SumPeriod"/>).</summary>
public sealed record AgencyScoreInput(string MaDonVi, SyncCounts Sync, ScoreTotals Counters);

/// <summary>One side of an indicator. <c>Rate</c> is unrounded and null when the denominator is 0 (then no points).</summary>
public sealed record ScoreFigures(long Numerator, long Denominator, double? Rate, double Points);

/// <summary>
/// One indicator, computed from the provincial copies (<c>Source</c>) and from what the portal holds (<c>Portal</c>).
/// When it cannot be computed, <c>Measured</c> is false, <c>Reason</c> says why and there are no figures: never 0.
/// </summary>
public sealed record IndicatorScore(
    string Id,
    string Name,
    double MaxPoints,
    double Threshold,
    bool Measured,
    string? Reason,
    ScoreFigures? Source,
    ScoreFigures? Portal,
    double? PointsLostToSync);

/// <summary>What the province gains if this agency's dossiers reached the portal as they are, and how many it has unsynced.</summary>
public sealed record AgencyGain(string MaDonVi, double PointsLostToSync, long Unsynced);

public sealed record Scorecard(IReadOnlyList<IndicatorScore> Indicators, IReadOnlyList<AgencyGain> Agencies);

/// <summary>
/// The 766 scorecard of a period for a group of agencies (an agency and its subtree), computed twice — as if the
/// portal held every provincial copy as it is, and from what it holds — so the difference is what sync costs, in points.
/// </summary>
public sealed class ScorecardCalculator
{
    private readonly IReadOnlyList<(ScorecardIndicator Indicator, IndicatorScoring Scoring)> _indicators;

    /// <param name="scoring">Configured scoring by indicator id; an indicator not in it keeps its default.</param>
    public ScorecardCalculator(IReadOnlyDictionary<string, IndicatorScoring>? scoring = null) =>
        _indicators = Scorecard766.Indicators
            .Select(i => (i, scoring?.GetValueOrDefault(i.Id) ?? i.DefaultScoring))
            .ToList();

    /// <param name="agencies">Every agency of the requested subtree, each once.</param>
    /// <param name="childSubtrees">Each agency directly below the requested one, with its own subtree: the ranking's rows.</param>
    /// <remarks>
    /// Every figure is a sum of counts, so each agency's counter sets are folded once, for this period, into a few
    /// numbers per side (<see cref="Tally"/>); the province and each ranked subtree are then sums of tallies, and the
    /// province as it would be with one subtree repaired is the province's tally minus that subtree's portal tally plus
    /// its source tally — no counter set is copied or parsed again per ranked agency.
    /// </remarks>
    public Scorecard Compute(ScorePeriod period, IReadOnlyCollection<AgencyScoreInput> agencies, IReadOnlyDictionary<string, IReadOnlySet<string>> childSubtrees)
    {
        var byAgency = new Dictionary<string, (SyncCounts Sync, Tally Source, Tally Portal)>(agencies.Count, StringComparer.Ordinal);
        var sync = SyncCounts.Zero;
        var sourceTally = new Tally();
        var portalTally = new Tally();
        foreach (var agency in agencies)
        {
            var folded = (agency.Sync, Tally.Of(period, agency.Counters, ScoreSide.Source), Tally.Of(period, agency.Counters, ScoreSide.Portal));
            byAgency[agency.MaDonVi] = folded;
            sync = sync.Plus(agency.Sync);
            sourceTally.Add(folded.Item2);
            portalTally.Add(folded.Item3);
        }
        var source = Rates(sync.Received, sync.Seen, sourceTally);
        var portal = Rates(sync.Received, sync.Synced, portalTally);
        var withoutFacts = Math.Max(sourceTally[Tally.WithoutFacts], portalTally[Tally.WithoutFacts]);

        var indicators = new List<IndicatorScore>(_indicators.Count);
        var measured = new List<(string Id, IndicatorScoring Scoring)>(_indicators.Count);
        foreach (var (indicator, scoring) in _indicators)
        {
            if (indicator.Id != Scorecard766.SyncRate && withoutFacts > 0)
            {
                indicators.Add(new IndicatorScore(indicator.Id, indicator.Name, scoring.MaxPoints, scoring.Threshold, false,
                    $"the facts this indicator needs were never collected for {withoutFacts} of the dossiers received in the period",
                    null, null, null));
                continue;
            }
            measured.Add((indicator.Id, scoring));
            var sourceFigures = Figures(source.Of(indicator.Id), scoring);
            var portalFigures = Figures(portal.Of(indicator.Id), scoring);
            indicators.Add(new IndicatorScore(indicator.Id, indicator.Name, scoring.MaxPoints, scoring.Threshold, true, null,
                sourceFigures, portalFigures, sourceFigures.Points - portalFigures.Points));
        }

        var portalPoints = measured.Sum(m => m.Scoring.Points(portal.Of(m.Id).Rate));
        var ranking = new List<AgencyGain>(childSubtrees.Count);
        var repaired = new Tally();
        foreach (var (child, subtree) in childSubtrees)
        {
            // The province as it would be if this subtree's dossiers reached the portal as the province holds them.
            var childSync = SyncCounts.Zero;
            repaired.Set(portalTally);
            foreach (var code in subtree)
            {
                if (!byAgency.TryGetValue(code, out var folded)) continue;
                childSync = childSync.Plus(folded.Sync);
                repaired.Subtract(folded.Portal).Add(folded.Source);
            }
            var repairedSynced = sync.Synced - childSync.Synced + childSync.Seen;
            var repairedRates = Rates(sync.Received, repairedSynced, repaired);
            var gain = measured.Sum(m => m.Scoring.Points(repairedRates.Of(m.Id).Rate)) - portalPoints;
            ranking.Add(new AgencyGain(child, gain, childSync.Seen - childSync.Synced));
        }
        ranking.Sort((a, b) => b.PointsLostToSync != a.PointsLostToSync
            ? b.PointsLostToSync.CompareTo(a.PointsLostToSync)
            : string.CompareOrdinal(a.MaDonVi, b.MaDonVi));
        return new Scorecard(indicators, ranking);
    }

    private static ScoreFigures Figures(Ratio ratio, IndicatorScoring scoring) =>
        new(ratio.Numerator, ratio.Denominator, ratio.Rate, scoring.Points(ratio.Rate));

    private readonly record struct Ratio(long Numerator, long Denominator, double? Rate)
    {
        public static Ratio Of(long numerator, long denominator) =>
            new(numerator, denominator, denominator == 0 ? null : (double)numerator / denominator);
    }

    /// <summary>The seven ratios of one side.</summary>
    private readonly record struct Rates7(Ratio SyncRate, Ratio OnTime, Ratio OnlineSubmission, Ratio OnlinePayment, Ratio ElectronicResult,
        Ratio DigitisedReuse, Ratio PopulationData)
    {
        public Ratio Of(string id) => id switch
        {
            Scorecard766.SyncRate => SyncRate,
            Scorecard766.OnTime => OnTime,
            Scorecard766.OnlineSubmission => OnlineSubmission,
            Scorecard766.OnlinePayment => OnlinePayment,
            Scorecard766.ElectronicResult => ElectronicResult,
            Scorecard766.DigitisedReuse => DigitisedReuse,
            Scorecard766.PopulationData => PopulationData,
            _ => throw new ArgumentOutOfRangeException(nameof(id), id, "not an indicator of the scorecard"),
        };
    }

    /// <param name="received">1.4's denominator, shared by both sides.</param>
    /// <param name="held">1.4's numerator of this side: dossiers seen (source) or those the portal holds (portal).</param>
    /// <param name="tally">That side's counters, folded for the period.</param>
    private static Rates7 Rates(long received, long held, Tally tally)
    {
        var syncRate = Ratio.Of(held, received);
        var online = tally[Tally.Online];
        return new Rates7(
            syncRate,
            Ratio.Of(tally[Tally.OnTimeNumerator], tally[Tally.OnTimeDenominator]),
            new Ratio(online, received, received == 0 ? null : (double)online / received * syncRate.Rate),
            Ratio.Of(tally[Tally.PaidOnline], tally[Tally.FeeBearing]),
            Ratio.Of(tally[Tally.ResultLink], tally[Tally.ReturnsResult]),
            Ratio.Of(tally[Tally.Digitised], received),
            Ratio.Of(tally[Tally.Vneid], received));
    }

    /// <summary>
    /// One side's counters of one agency or group, folded for a period into the numbers the indicators divide. Every
    /// number is a sum of counts, so the tally of a group is the sum of its members' tallies.
    /// </summary>
    private sealed class Tally
    {
        public const int Online = 0, FeeBearing = 1, PaidOnline = 2, ReturnsResult = 3, ResultLink = 4, Digitised = 5, Vneid = 6,
            OnTimeNumerator = 7, OnTimeDenominator = 8, WithoutFacts = 9;
        private const int Size = 10;
        private readonly long[] _counts = new long[Size];

        public long this[int index] => _counts[index];

        /// <summary>
        /// 2.1 over the dossiers received or processed in the period, each once: every dossier received in it (ended
        /// ones by their verdict, open ones by their due day against the evaluation day), plus those that ended in it
        /// but were received on a day outside it. A dossier without NgayTiepNhan ("r:none") is left out on both sides:
        /// the national rules never count such a copy, and no sync could put it on the portal, so it is no point lost
        /// to sync.
        /// </summary>
        public static Tally Of(ScorePeriod period, ScoreTotals totals, ScoreSide side)
        {
            var tally = new Tally();
            var counts = tally._counts;
            var byReception = totals[ScoreAxis.Received, side];
            counts[Online] = byReception[ScoreCounterNames.Online];
            counts[FeeBearing] = byReception[ScoreCounterNames.FeeBearing];
            counts[PaidOnline] = byReception[ScoreCounterNames.PaidOnline];
            counts[ReturnsResult] = byReception[ScoreCounterNames.ReturnsResult];
            counts[ResultLink] = byReception[ScoreCounterNames.ResultLink];
            counts[Digitised] = byReception[ScoreCounterNames.Digitised];
            counts[Vneid] = byReception[ScoreCounterNames.Vneid];
            counts[WithoutFacts] = byReception[ScoreCounterNames.WithoutFacts];
            var denominator = byReception[ScoreCounterNames.Population];
            var numerator = byReception[ScoreCounterNames.EndedOnTime] + byReception[ScoreCounterNames.OpenWithoutDueDay];
            foreach (var (name, count) in byReception)
                if (ScoreCounterNames.TryParseOpenDue(name, out var firstDue, out var lastDue) && OpenOnTime(period, name, firstDue, lastDue)) numerator += count;
            // A name stands for a reception day (day rows) or a reception month (roll-ups): received in the period when
            // all of it lies in the period. The port hands month-keyed names only for periods of whole months, where
            // a month lies either wholly inside or wholly outside; a roll-up written before month keys holds day-keyed
            // names, judged by their day, so a mix of both sums right.
            foreach (var (name, count) in totals[ScoreAxis.Ended, side])
            {
                if (ScoreCounterNames.TryParseEndedReceived(name, out var first, out var last))
                {
                    if (!period.Covers(first, last)) denominator += count;
                }
                else if (ScoreCounterNames.TryParseEndedOnTimeReceived(name, out first, out last) && !period.Covers(first, last)) numerator += count;
            }
            counts[OnTimeNumerator] = numerator;
            counts[OnTimeDenominator] = denominator;
            return tally;
        }

        /// <summary>
        /// An open dossier is on time while its due day is on or after the evaluation day. A name of a due month (the
        /// roll-ups') answers that unless the evaluation day falls inside the month after its first day: the ports hand
        /// due days instead for such periods (<see cref="ScorePeriod.JudgesDueByMonth"/>), and a month-keyed name here
        /// would be a store's error, so it is reported rather than guessed.
        /// </summary>
        private static bool OpenOnTime(ScorePeriod period, string name, DateOnly firstDue, DateOnly lastDue)
        {
            if (firstDue >= period.EvaluationDay) return true;
            if (lastDue < period.EvaluationDay) return false;
            throw new InvalidOperationException(
                $"The counter {name} names a due month, which cannot be judged on {period.EvaluationDay:yyyy-MM-dd}: the store must give due days for this period.");
        }

        public Tally Set(Tally other)
        {
            other._counts.CopyTo(_counts, 0);
            return this;
        }

        public Tally Add(Tally other)
        {
            for (var i = 0; i < Size; i++) _counts[i] += other._counts[i];
            return this;
        }

        public Tally Subtract(Tally other)
        {
            for (var i = 0; i < Size; i++) _counts[i] -= other._counts[i];
            return this;
        }
    }
}
