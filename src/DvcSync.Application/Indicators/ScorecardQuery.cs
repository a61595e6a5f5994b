using System.Globalization;
using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Indicators;

public sealed record ScorecardFiguresView(long Numerator, long Denominator, double? Rate, double Points);

public sealed record ScorecardIndicatorView(
    string Id,
    string Name,
    double MaxPoints,
    double Threshold,
    bool Measured,
    string? Reason,
    ScorecardFiguresView? Source,
    ScorecardFiguresView? Portal,
    double? PointsLostToSync);

public sealed record ScorecardAgencyRow(string Agency, string Name, double PointsLostToSync, long Unsynced);

public sealed record ScorecardReport(
    string From,
    string To,
    string Agency,
    string Name,
    string? AsOf,
    IReadOnlyList<ScorecardIndicatorView> Indicators,
    IReadOnlyList<ScorecardAgencyRow> Agencies);

/// <summary>
/// The 766 scorecard (sync-api.md) for a period and an agency's subtree: each indicator from the provincial copies and
/// from what the portal holds, and one row per agency directly below, ranked by what its sync failures cost. Reads the
/// same 1.4 counts as <see cref="SyncRateQuery"/>, so the two routes agree on 1.4, and the scorecard counters summed per
/// agency — month roll-ups for whole months — so a year is a few rows per agency.
/// </summary>
public sealed class ScorecardQuery(
    AgencyDirectory agencies,
    ISyncLedger ledger,
    ScorecardScoringOptions scoring,
    SyncRateScoringOptions syncRateScoring,
    TimeProvider clock)
{
    public async Task<QueryResult<ScorecardReport>> HandleAsync(PeriodQuery period, string? agencyCode, CancellationToken cancellationToken)
    {
        var tree = await agencies.GetAsync(cancellationToken);
        var agency = agencyCode is null ? tree.Root : tree.Find(agencyCode);
        if (agency is null)
            return QueryResult<ScorecardReport>.NotFound(agencyCode is null
                ? "The provincial system lists no agencies"
                : AgencyDirectory.NotListed(agencyCode));

        var subtree = tree.Subtree(agency.MaDonVi);
        var scorePeriod = ScorePeriod.Of(period.From, period.To, VnTime.Day(clock.GetUtcNow()));
        var syncCountsTask = SyncCountsAsync(subtree, period, cancellationToken);
        var countersTask = ledger.GetScoreTotalsAsync(subtree, scorePeriod, cancellationToken);
        var received = await syncCountsTask;
        var counters = await countersTask;

        var inputs = subtree.Select(code =>
        {
            var totals = counters.GetValueOrDefault(code) ?? new ScoreTotals();
            var bySource = totals[ScoreAxis.Received, ScoreSide.Source];
            // Every entry received in the period counts once on the source side, with facts or without.
            var seen = bySource[ScoreCounterNames.Population] + bySource[ScoreCounterNames.WithoutFacts];
            var (all, synced) = received.GetValueOrDefault(code);
            return new AgencyScoreInput(code, new SyncCounts(all, seen, synced), totals);
        }).ToList();
        var children = tree.ChildrenOf(agency.MaDonVi);
        var scorecard = new ScorecardCalculator(scoring.Scoring(syncRateScoring)).Compute(
            scorePeriod,
            inputs,
            children.ToDictionary(c => c.MaDonVi, c => tree.Subtree(c.MaDonVi), StringComparer.Ordinal));

        var names = children.ToDictionary(c => c.MaDonVi, c => c.TenDonVi, StringComparer.Ordinal);
        // asOf as the sync-rate route gives it: the oldest confirmation behind the synced counts of the subtree and period.
        var oldestConfirmation = received.Values.Any(r => r.Synced > 0)
            ? await ledger.GetOldestConfirmationAsync(subtree, period.From, period.To, cancellationToken)
            : null;
        return QueryResult<ScorecardReport>.Ok(new ScorecardReport(
            Show(period.From),
            Show(period.To),
            agency.MaDonVi,
            agency.TenDonVi,
            oldestConfirmation is { } asOf ? VnTime.FormatIso(asOf) : null,
            scorecard.Indicators.Select(i => new ScorecardIndicatorView(i.Id, i.Name, i.MaxPoints, i.Threshold, i.Measured, i.Reason,
                View(i.Source), View(i.Portal), i.PointsLostToSync)).ToList(),
            scorecard.Agencies.Select(a => new ScorecardAgencyRow(a.MaDonVi, names[a.MaDonVi], a.PointsLostToSync, a.Unsynced)).ToList()));
    }

    /// <summary>1.4's received and synced per agency, from the counts and by the rule <see cref="SyncRateQuery"/> uses.</summary>
    private async Task<Dictionary<string, (long Received, long Synced)>> SyncCountsAsync(IReadOnlySet<string> subtree, PeriodQuery period,
        CancellationToken cancellationToken)
    {
        var (months, days) = period.Days > SyncRateQuery.MaxDaysForDailySeries
            ? await ledger.GetPeriodCountsAsync(subtree, period.From, period.To, cancellationToken)
            : ([], await ledger.GetDayCountsAsync(subtree, period.From, period.To, cancellationToken));
        var daysByAgency = days.ToLookup(d => d.MaDonVi, StringComparer.Ordinal);
        var monthsByAgency = months.ToLookup(m => m.MaDonVi, StringComparer.Ordinal);
        return subtree.ToDictionary(code => code, code =>
        {
            var figures = new SyncRateCalculator(daysByAgency[code], monthsByAgency[code])
                .For(new HashSet<string>(StringComparer.Ordinal) { code }, period.From, period.To);
            return (figures.Received, figures.Synced);
        }, StringComparer.Ordinal);
    }

    private static ScorecardFiguresView? View(ScoreFigures? figures) =>
        figures is null ? null : new ScorecardFiguresView(figures.Numerator, figures.Denominator, figures.Rate, figures.Points);

    private static string Show(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
