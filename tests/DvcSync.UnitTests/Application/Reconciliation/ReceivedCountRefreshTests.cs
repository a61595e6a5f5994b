using DvcSync.Application.Reconciliation;

namespace DvcSync.UnitTests.Application.Reconciliation;

public class ReceivedCountRefreshTests
{
    private static readonly TimeSpan Vn = TimeSpan.FromHours(7);
    private static readonly DateOnly HistoryFrom = new(2024, 1, 1);
    private static readonly DateTimeOffset WindowFrom = new(2025, 11, 20, 9, 0, 0, Vn);
    private static readonly DateTimeOffset WindowTo = new(2025, 11, 20, 9, 15, 0, Vn);

    [Fact]
    public void Runs_over_one_day_re_read_every_day_of_the_current_and_the_previous_year()
    {
        var covered = new HashSet<DateOnly>();
        for (var hour = 0; hour < 24; hour += 24 / ReceivedCountRefresh.SlotsPerDay)
            foreach (var (from, to) in ReceivedCountRefresh.RangesFor(WindowFrom, WindowTo, new DateTimeOffset(2025, 11, 20, hour, 30, 0, Vn), HistoryFrom))
                for (var day = from; day <= to; day = day.AddDays(1)) covered.Add(day);

        for (var day = new DateOnly(2024, 1, 1); day <= new DateOnly(2025, 11, 20); day = day.AddDays(1))
            Assert.Contains(day, covered);
        Assert.DoesNotContain(new DateOnly(2023, 12, 31), covered);
        Assert.DoesNotContain(new DateOnly(2025, 11, 21), covered);
    }

    [Fact]
    public void Every_run_re_reads_the_last_month_and_one_quarter_without_overlap()
    {
        // 07:30 is the third slot: the previous year's third quarter.
        var ranges = ReceivedCountRefresh.RangesFor(WindowFrom, WindowTo, new DateTimeOffset(2025, 11, 20, 7, 30, 0, Vn), HistoryFrom);
        Assert.Equal([(new DateOnly(2024, 7, 1), new DateOnly(2024, 9, 30)), (new DateOnly(2025, 10, 20), new DateOnly(2025, 11, 20))], ranges);
    }

    [Fact]
    public void A_quarter_not_yet_begun_adds_nothing_and_one_under_way_stops_at_the_window()
    {
        var march = new DateTimeOffset(2025, 3, 10, 9, 0, 0, Vn);
        Assert.Single(ReceivedCountRefresh.RangesFor(march, march, new DateTimeOffset(2025, 3, 10, 22, 0, 0, Vn), HistoryFrom)); // this year's Q4
        var firstQuarter = ReceivedCountRefresh.RangesFor(march, march, new DateTimeOffset(2025, 3, 10, 12, 0, 0, Vn), HistoryFrom); // this year's Q1
        Assert.Equal([(new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 6)), (new DateOnly(2025, 2, 7), new DateOnly(2025, 3, 10))], firstQuarter);
    }

    [Fact]
    public void Nothing_before_the_history_is_copied()
    {
        var march = new DateTimeOffset(2025, 3, 10, 9, 0, 0, Vn);
        var ranges = ReceivedCountRefresh.RangesFor(march, march, new DateTimeOffset(2025, 3, 10, 1, 0, 0, Vn), new DateOnly(2025, 2, 20)); // last year's Q1
        Assert.Equal([(new DateOnly(2025, 2, 20), new DateOnly(2025, 3, 10))], ranges);
    }
}
