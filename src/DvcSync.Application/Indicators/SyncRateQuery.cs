using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Indicators;

/// <param name="Listed">False for a unit today's provincial list no longer names: its dossiers still count.</param>
public sealed record SyncRateAgencyRow(string Agency, string Name, long Received, long Synced, double? Rate, bool Listed = true);

public sealed record SyncRateDay(string Date, long Received, long Synced, double? Rate);

public sealed record SyncRateReport(
    string Indicator,
    string From,
    string To,
    string Agency,
    string Name,
    long Received,
    long Synced,
    double? Rate,
    double Points,
    double MaxPoints,
    string? AsOf,
    string ReceivedSource,
    IReadOnlyList<SyncRateAgencyRow> Agencies,
    IReadOnlyList<SyncRateDay> Days,
    IReadOnlyList<SyncRateMonth> Months);

/// <summary>Indicator 1.4 for a period and an agency's subtree, with a row per agency directly below it.</summary>
public sealed class SyncRateQuery(
    AgencyDirectory agencies,
    ISyncLedger ledger,
    SyncRateScoringOptions scoring)
{
    public const int MaxDaysForDailySeries = 92;

    /// <summary>Where <c>received</c> comes from, said in the answer so that nobody has to guess.</summary>
    public const string ReceivedSource = "per agency and day, the larger of the provincial system's received count (copied at each reconciliation) and the dossiers seen";

    public async Task<QueryResult<SyncRateReport>> HandleAsync(PeriodQuery period, string? agencyCode, CancellationToken cancellationToken)
    {
        var tree = await agencies.GetAsync(cancellationToken);
        var agency = agencyCode is null ? tree.Root : tree.Find(agencyCode);
        if (agency is null)
            return QueryResult<SyncRateReport>.NotFound(agencyCode is null
                ? "The provincial system lists no agencies"
                : AgencyDirectory.NotListed(agencyCode));

        var subtree = tree.Subtree(agency.MaDonVi);
        // Long periods read month roll-ups; a daily series is only offered where day rows are read anyway.
        var (months, days) = period.Days > MaxDaysForDailySeries
            ? await ledger.GetPeriodCountsAsync(subtree, period.From, period.To, cancellationToken)
            : ([], await ledger.GetDayCountsAsync(subtree, period.From, period.To, cancellationToken));
        var calculator = new SyncRateCalculator(days, months);
        var total = calculator.For(subtree, period.From, period.To);
        var rows = new List<SyncRateAgencyRow>();
        foreach (var child in tree.ChildrenOf(agency.MaDonVi))
        {
            var figures = calculator.For(tree.Subtree(child.MaDonVi), period.From, period.To);
            if (figures.Received == 0 && figures.Synced == 0) continue;
            rows.Add(new SyncRateAgencyRow(child.MaDonVi, child.TenDonVi, figures.Received, figures.Synced, figures.Rate, !child.NoLongerListed));
        }

        // asOf as sync-api.md has it: when the oldest confirmation behind the synced figure was made, from the counters.
        var oldestConfirmation = total.Synced == 0 ? null : await ledger.GetOldestConfirmationAsync(subtree, period.From, period.To, cancellationToken);
        return QueryResult<SyncRateReport>.Ok(new SyncRateReport(
            "1.4",
            period.From.ToString("yyyy-MM-dd"),
            period.To.ToString("yyyy-MM-dd"),
            agency.MaDonVi,
            agency.TenDonVi,
            total.Received,
            total.Synced,
            total.Rate,
            scoring.Scoring.Points(total.Rate),
            scoring.MaxPoints,
            oldestConfirmation is { } asOf ? VnTime.FormatIso(asOf) : null,
            ReceivedSource,
            rows,
            period.Days > MaxDaysForDailySeries ? [] : calculator.Daily(subtree, period.From, period.To)
                .Select(d => new SyncRateDay(d.Day.ToString("yyyy-MM-dd"), d.Figures.Received, d.Figures.Synced, d.Figures.Rate)).ToList(),
            period.Days > MaxDaysForDailySeries ? SyncRateMonthlySeries.Of(calculator, subtree, period.From, period.To) : []));
    }
}
