using DvcSync.Core.Indicators;

namespace DvcSync.Application.Indicators;

/// <summary>One calendar month of a period (cut to the period at either end), for a trend.</summary>
public sealed record SyncRateMonth(string Month, string From, string To, long Received, long Synced, double? Rate);

/// <summary>
/// The trend of a period too long for a daily series: a period over a quarter is read from month roll-ups, so the
/// month is the finest grain its figures have. Every month of the period is listed, one with nothing received
/// included (rate null), so that a chart of at most thirteen months shows a gap where there is one.
/// </summary>
public static class SyncRateMonthlySeries
{
    public static IReadOnlyList<SyncRateMonth> Of(SyncRateCalculator calculator, IReadOnlySet<string> agencies, DateOnly from, DateOnly to)
    {
        var months = new List<SyncRateMonth>();
        for (var month = new DateOnly(from.Year, from.Month, 1); month <= to; month = month.AddMonths(1))
        {
            var start = month < from ? from : month;
            var lastDay = month.AddMonths(1).AddDays(-1);
            var end = lastDay > to ? to : lastDay;
            // A month cut by the period is summed from its days, a whole one from its roll-up: the calculator knows which.
            var figures = calculator.For(agencies, start, end);
            months.Add(new SyncRateMonth(month.ToString("yyyy-MM"), start.ToString("yyyy-MM-dd"), end.ToString("yyyy-MM-dd"),
                figures.Received, figures.Synced, figures.Rate));
        }
        return months;
    }
}
