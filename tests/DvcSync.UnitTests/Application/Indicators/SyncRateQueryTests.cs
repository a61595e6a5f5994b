using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ports;
using Moq;

namespace DvcSync.UnitTests.Application.Indicators;

/// <summary>Indicator 1.4 by period and agency: which counts it reads, how it sums an agency's subtree, what it says when there is nothing.</summary>
public class SyncRateQueryTests
{
    private static readonly DateTimeOffset Now = HandlerFixture.Now;
    private static readonly PeriodQuery January = new(new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 31));
    private static readonly PeriodQuery Year2024 = new(new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31));
    private readonly HandlerFixture _f = new();
    private readonly List<LedgerDayCount> _days = [];
    private readonly List<LedgerMonthCount> _months = [];

    public SyncRateQueryTests()
    {
        _f.Ledger.Setup(l => l.GetDayCountsAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken _) =>
                _days.Where(d => agencies.Contains(d.MaDonVi) && d.Day >= from && d.Day <= to).ToList());
        _f.Ledger.Setup(l => l.GetPeriodCountsAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken _) =>
                ((IReadOnlyList<LedgerMonthCount>)_months.Where(m => agencies.Contains(m.MaDonVi) && SyncRateCalculator.WholeMonthIn(m.Month, from, to)).ToList(),
                 (IReadOnlyList<LedgerDayCount>)[]));
        _f.Ledger.Setup(l => l.GetOldestConfirmationAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => _oldestConfirmation);
        LastFinishedRun(null);
    }

    private DateTimeOffset? _oldestConfirmation;

    private void LastFinishedRun(DateTimeOffset? windowTo) =>
        _f.State.Setup(s => s.GetRunsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(((ReconcileRun?)null,
            windowTo is { } to ? new ReconcileRun("run", to, to, to.AddMinutes(-10), to, 10, 10, 10, 0, 0, null) : null));

    private SyncRateQuery Query(IReadOnlyList<DvcSync.Core.Agencies.Agency>? agencies = null) =>
        new(Province.Directory(_f, agencies), _f.Ledger.Object, new SyncRateScoringOptions { MaxPoints = 2, Threshold = 1 });

    private async Task<SyncRateReport> ReportAsync(PeriodQuery period, string? agency = null)
    {
        var result = await Query().HandleAsync(period, agency, CancellationToken.None);
        Assert.Null(result.Failure);
        return result.Value!;
    }

    private void Day(string agency, int day, long seen, long synced, long reported = 0) =>
        _days.Add(new LedgerDayCount(agency, new DateOnly(2025, 1, day), seen, synced, reported));

    [Fact]
    public async Task An_agency_the_provincial_system_does_not_list_is_not_found_without_repeating_it()
    {
        const string Given = "000.00.99.H19";

        var result = await Query().HandleAsync(January, Given, CancellationToken.None);

        Assert.Equal(QueryFailure.NotFound, result.Failure);
        Assert.Contains(Dossier.Shape(Given), result.Detail);
        Assert.DoesNotContain(Given, result.Detail);
        _f.Ledger.Verify(l => l.GetDayCountsAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task With_no_agencies_listed_the_province_is_not_found()
    {
        var result = await Query([]).HandleAsync(January, null, CancellationToken.None);

        Assert.Equal((QueryFailure.NotFound, "The provincial system lists no agencies"), (result.Failure, result.Detail));
    }

    [Fact]
    public async Task A_period_with_nothing_received_has_no_rate_no_points_and_no_rows()
    {
        var report = await ReportAsync(January);

        Assert.Equal((0L, 0L, (double?)null, 0.0), (report.Received, report.Synced, report.Rate, report.Points));
        Assert.Empty(report.Agencies);
        Assert.Empty(report.Days);
        Assert.Null(report.AsOf);
        _f.Ledger.Verify(l => l.GetOldestConfirmationAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_short_period_reads_day_rows_sums_each_childs_subtree_and_gives_a_daily_series()
    {
        Day(Province.Justice.MaDonVi, 10, seen: 4, synced: 3);
        Day(Province.Commune.MaDonVi, 10, seen: 2, synced: 2, reported: 6);
        Day(Province.Health.MaDonVi, 11, seen: 10, synced: 5);
        LastFinishedRun(Now.AddMinutes(-5));
        _oldestConfirmation = Now.AddDays(-3);

        var report = await ReportAsync(January);

        // Received: per agency and day the larger of reported and seen — 4 + 6 + 10.
        Assert.Equal((20L, 10L, 0.5, 1.0), (report.Received, report.Synced, report.Rate, report.Points));
        Assert.Equal([new SyncRateAgencyRow(Province.Justice.MaDonVi, Province.Justice.TenDonVi, 10, 5, 0.5),
                      new SyncRateAgencyRow(Province.Health.MaDonVi, Province.Health.TenDonVi, 10, 5, 0.5)], report.Agencies);
        Assert.Equal([new SyncRateDay("2025-01-10", 10, 5, 0.5), new SyncRateDay("2025-01-11", 10, 5, 0.5)], report.Days);
        // asOf: the oldest confirmation behind the synced counts of the subtree and period, not the last run's window.
        Assert.Equal(VnTime.FormatIso(Now.AddDays(-3)), report.AsOf);
        _f.Ledger.Verify(l => l.GetOldestConfirmationAsync(It.Is<IReadOnlyCollection<string>>(a => a.Contains(Province.Health.MaDonVi)),
            January.From, January.To, It.IsAny<CancellationToken>()), Times.Once);
        _f.Ledger.Verify(l => l.GetPeriodCountsAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task An_agency_counts_its_subtree_and_lists_the_agencies_directly_below_it()
    {
        Day(Province.Justice.MaDonVi, 10, seen: 4, synced: 4);
        Day(Province.Commune.MaDonVi, 10, seen: 4, synced: 2);
        Day(Province.Health.MaDonVi, 10, seen: 100, synced: 0);

        var report = await ReportAsync(January, Province.Justice.MaDonVi);

        Assert.Equal((Province.Justice.MaDonVi, 8L, 6L), (report.Agency, report.Received, report.Synced));
        Assert.Equal([new SyncRateAgencyRow(Province.Commune.MaDonVi, Province.Commune.TenDonVi, 4, 2, 0.5)], report.Agencies);
    }

    [Fact]
    public async Task A_period_longer_than_the_daily_series_reads_month_rollups_and_gives_no_days()
    {
        _months.Add(new LedgerMonthCount(Province.Justice.MaDonVi, new DateOnly(2024, 3, 1), 40, 30));
        _months.Add(new LedgerMonthCount(Province.Health.MaDonVi, new DateOnly(2024, 7, 1), 60, 60));

        var report = await ReportAsync(Year2024);

        Assert.True(Year2024.Days > SyncRateQuery.MaxDaysForDailySeries);
        Assert.Equal((100L, 90L, 0.9), (report.Received, report.Synced, report.Rate));
        Assert.Equal(2, report.Agencies.Count);
        Assert.Empty(report.Days);
        _f.Ledger.Verify(l => l.GetDayCountsAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()), Times.Never);
    }
}
