using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.ProvincialSystem;

namespace DvcSync.Simulators.Seeding;

/// <summary>
/// The 766 scorecard of a period recomputed from what the two simulated systems hold now, dossier by dossier, without
/// any ledger: each provincial dossier as the province holds it (<c>source</c>) and as the portal holds it
/// (<c>portal</c>), and 1.4's received from the provincial system's own received counts. What the project's scorecard
/// must equal once every dossier has been checked.
/// </summary>
public static class ScorecardTruth
{
    /// <param name="agency">The agency whose subtree is scored, by its own list of agencies.</param>
    /// <param name="today">The evaluation day of a period still running (open dossiers are judged on it).</param>
    public static Scorecard Compute(ProvincialState provincial, PortalState portal, string agency, DateOnly from, DateOnly to, DateOnly today,
        IReadOnlyDictionary<string, IndicatorScoring>? scoring = null)
    {
        var subtree = Subtree(provincial.Agencies, agency);
        var rows = new Dictionary<string, List<ScoreRow>>(StringComparer.Ordinal);
        var seen = new Dictionary<(string Agency, DateOnly Day), (long Seen, long Synced)>();
        foreach (var code in provincial.Codes())
        {
            var source = Dossier.FromJson(provincial.GetDossier(code)!);
            if (!subtree.Contains(source.MaDonVi)) continue;
            var sourceFacts = DossierFacts.Of(source);
            var portalCopy = portal.Get(code);
            var portalFacts = portalCopy is null ? null : DossierFacts.Of(Dossier.FromJson(portalCopy));
            if (sourceFacts.ReceivedDay is not { } day) continue;

            // The national rule: a copy without NgayTiepNhan is never counted as synced.
            var synced = portalFacts is { ReceivedDay: not null };
            var (s, h) = seen.GetValueOrDefault((source.MaDonVi, day));
            seen[(source.MaDonVi, day)] = (s + 1, h + (synced ? 1 : 0));
            if (!rows.TryGetValue(source.MaDonVi, out var agencyRows)) rows[source.MaDonVi] = agencyRows = [];
            agencyRows.AddRange(ScoreContributions.Of(day, sourceFacts, portalFacts).Rows
                .Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)));
        }

        var reported = provincial.ReceivedCounts(from, to).ToDictionary(c => (c.MaDonVi, c.Ngay), c => (long)c.SoHoSoTiepNhan);
        var inputs = subtree.Select(code =>
        {
            long received = 0, seenInPeriod = 0, synced = 0;
            foreach (var day in Days(from, to))
            {
                var (s, h) = seen.GetValueOrDefault((code, day));
                received += Math.Max(reported.GetValueOrDefault((code, day)), s);
                seenInPeriod += s;
                synced += h;
            }
            var counters = ScoreRows.SumPeriod(rows.GetValueOrDefault(code) ?? [], from, to);
            return new AgencyScoreInput(code, new SyncCounts(received, seenInPeriod, synced), counters);
        }).ToList();
        var children = provincial.Agencies.Where(a => a.MaDonViCha == agency)
            .ToDictionary(a => a.MaDonVi, a => (IReadOnlySet<string>)Subtree(provincial.Agencies, a.MaDonVi), StringComparer.Ordinal);
        return new ScorecardCalculator(scoring).Compute(ScorePeriod.Of(from, to, today), inputs, children);
    }

    private static IEnumerable<DateOnly> Days(DateOnly from, DateOnly to)
    {
        for (var day = from; day <= to; day = day.AddDays(1)) yield return day;
    }

    private static HashSet<string> Subtree(IReadOnlyList<Agency> agencies, string root)
    {
        var result = new HashSet<string>(StringComparer.Ordinal) { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var a in agencies)
                if (a.MaDonViCha is not null && result.Contains(a.MaDonViCha) && result.Add(a.MaDonVi)) grew = true;
        } while (grew);
        return result;
    }
}
