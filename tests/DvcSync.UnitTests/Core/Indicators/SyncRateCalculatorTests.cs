using DvcSync.Core.Indicators;

namespace DvcSync.UnitTests.Core.Indicators;

public class SyncRateCalculatorTests
{
    private static readonly DateOnly Jan1 = new(2025, 1, 1);
    private static readonly DateOnly Jan2 = new(2025, 1, 2);

    [Fact]
    public void Received_is_the_larger_of_reported_and_seen_per_agency_and_day_then_summed()
    {
        var calculator = new SyncRateCalculator(
            [new LedgerDayCount("A", Jan1, 8, 8, Reported: 10), new LedgerDayCount("A", Jan2, 4, 2, Reported: 3), new LedgerDayCount("B", Jan1, 5, 4, Reported: 5)]);

        var figures = calculator.For(new HashSet<string> { "A", "B" }, Jan1, Jan2);

        // A: max(10,8) + max(3,4) = 14; B: 5. Synced 8 + 2 + 4.
        Assert.Equal(19, figures.Received);
        Assert.Equal(14, figures.Synced);
        Assert.Equal(14.0 / 19.0, figures.Rate);
    }

    [Fact]
    public void Only_the_requested_agencies_and_days_count()
    {
        var calculator = new SyncRateCalculator([new LedgerDayCount("A", Jan1, 0, 0, 10), new LedgerDayCount("B", Jan1, 0, 0, 5), new LedgerDayCount("A", Jan2, 0, 0, 7)]);
        Assert.Equal(10, calculator.For(new HashSet<string> { "A" }, Jan1, Jan1).Received);
    }

    [Fact]
    public void Nothing_received_has_no_rate()
    {
        var figures = new SyncRateCalculator([]).For(new HashSet<string> { "A" }, Jan1, Jan2);
        Assert.Null(figures.Rate);
    }

    [Theory]
    [InlineData(1.0, 1.0, 4.0, 4.0)]
    [InlineData(0.5, 1.0, 4.0, 2.0)]
    [InlineData(0.9, 0.8, 4.0, 4.0)]
    [InlineData(0.4, 0.8, 4.0, 2.0)]
    public void Points_are_linear_up_to_the_threshold(double rate, double threshold, double max, double expected) =>
        Assert.Equal(expected, new IndicatorScoring(max, threshold).Points(rate), 10);

    [Fact]
    public void No_rate_earns_no_points() => Assert.Equal(0, new IndicatorScoring(4, 1).Points(null));
}

public class SyncRateDailyTests
{
    [Fact]
    public void Daily_figures_add_up_to_the_period()
    {
        var jan1 = new DateOnly(2025, 1, 1);
        var calculator = new SyncRateCalculator(
            [new LedgerDayCount("A", jan1, 12, 9, Reported: 10), new LedgerDayCount("B", jan1.AddDays(1), 2, 2, Reported: 4), new LedgerDayCount("C", jan1, 5, 5)]);
        var agencies = new HashSet<string> { "A", "B" };

        var daily = calculator.Daily(agencies, jan1, jan1.AddDays(3));

        Assert.Equal([jan1, jan1.AddDays(1)], daily.Select(d => d.Day));
        Assert.Equal(new SyncRateFigures(12, 9), daily[0].Figures);
        Assert.Equal(new SyncRateFigures(4, 2), daily[1].Figures);
        var total = calculator.For(agencies, jan1, jan1.AddDays(3));
        Assert.Equal(total.Received, daily.Sum(d => d.Figures.Received));
        Assert.Equal(total.Synced, daily.Sum(d => d.Figures.Synced));
    }
}
