using DvcSync.Core.Dossiers;

namespace DvcSync.Application.Reconciliation;

/// <summary>
/// Which days' received counts a reconciliation copies again. The provincial system corrects its counts late (a
/// dossier entered days after its reception, a duplicate removed), and the national figure is recomputed for the
/// current and the previous year; so besides the run's window and the last month, each run re-reads one quarter of
/// those two years, chosen by the time of day: the day is cut into <see cref="SlotsPerDay"/> slots, one per quarter,
/// and a correction reaches the figure within a day as long as a run starts in every slot. No state is kept.
/// </summary>
public static class ReceivedCountRefresh
{
    /// <summary>Eight quarters in two years: one every three hours.</summary>
    public const int SlotsPerDay = 8;

    /// <summary>The recent days a late report may still change, re-read by every run.</summary>
    public const int RecentDays = 31;

    /// <param name="since">Start of the run's window (the history's first day on a first run).</param>
    /// <param name="until">End of the run's window.</param>
    /// <param name="now">When the run started: picks the quarter.</param>
    /// <param name="historyFrom">The first day the project keeps (<c>Sync:HistoryFrom</c>): nothing before it is copied.</param>
    /// <returns>The day ranges to copy, both ends inclusive, in order, without overlap.</returns>
    public static IReadOnlyList<(DateOnly From, DateOnly To)> RangesFor(DateTimeOffset since, DateTimeOffset until, DateTimeOffset now, DateOnly historyFrom)
    {
        var to = VnTime.Day(until);
        var from = VnTime.Day(since);
        if (to.AddDays(-RecentDays) < from) from = to.AddDays(-RecentDays);
        if (from < historyFrom) from = historyFrom;
        var ranges = new List<(DateOnly From, DateOnly To)> { (from, to) };

        var local = now.ToOffset(VnTime.Offset);
        var slot = local.Hour * SlotsPerDay / 24;
        var quarterStart = new DateOnly(local.Year - 1 + slot / 4, slot % 4 * 3 + 1, 1);
        var quarterEnd = quarterStart.AddMonths(3).AddDays(-1);
        if (quarterStart < historyFrom) quarterStart = historyFrom;
        if (quarterEnd > to) quarterEnd = to;
        if (quarterStart > quarterEnd) return ranges;
        // Only the part the first range does not already cover.
        if (quarterStart < from) ranges.Insert(0, (quarterStart, quarterEnd < from ? quarterEnd : from.AddDays(-1)));
        return ranges;
    }
}
