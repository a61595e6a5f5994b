namespace DvcSync.Core.Indicators;

/// <summary>A stored scorecard row of one agency: a day row, or a month roll-up keyed by the month's first day.</summary>
public sealed record ScoreRow(ScoreAxis Axis, ScoreSide Side, DateOnly Day, CounterSet Counters);

/// <summary>The four counter sets (two axes, two sides) of one agency or a group of agencies, summed over a period.</summary>
public sealed class ScoreTotals
{
    private readonly Dictionary<(ScoreAxis, ScoreSide), CounterSet> _sets = new();

    public CounterSet this[ScoreAxis axis, ScoreSide side]
    {
        get
        {
            if (!_sets.TryGetValue((axis, side), out var set)) _sets[(axis, side)] = set = new CounterSet();
            return set;
        }
    }

    public ScoreTotals Add(ScoreTotals other)
    {
        foreach (var ((axis, side), set) in other._sets) this[axis, side].Add(set);
        return this;
    }

    public ScoreTotals Subtract(ScoreTotals other)
    {
        foreach (var ((axis, side), set) in other._sets) this[axis, side].Subtract(set);
        return this;
    }

    public ScoreTotals Copy() => new ScoreTotals().Add(this);

    public static ScoreTotals Sum(IEnumerable<ScoreTotals> totals)
    {
        var sum = new ScoreTotals();
        foreach (var total in totals) sum.Add(total);
        return sum;
    }
}

/// <summary>Summing an agency's day rows and month roll-ups over a period.</summary>
public static class ScoreRows
{
    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>
    /// The month roll-ups of day rows, as storage keeps them up to date one <see cref="ScoreContributions"/> at a time:
    /// Ended-axis reception days collapsed to months (<see cref="ScoreContributions.ByMonth"/>).
    /// </summary>
    public static IReadOnlyList<ScoreRow> RollUp(IEnumerable<ScoreRow> dayRows) =>
        dayRows.GroupBy(r => new ScoreRowKey(r.Axis, r.Side, MonthOf(r.Day)))
            .Select(g => new ScoreRow(g.Key.Axis, g.Key.Side, g.Key.Day, MonthCounters(g.Key.Axis, g.Select(r => r.Counters))))
            .Where(r => r.Counters.Count > 0)
            .ToList();

    /// <summary>
    /// Sums the rows of a period, both days inclusive, as the storage ports do. In a period of whole months
    /// (<see cref="ScorePeriod.IsWholeMonths"/>) a month's roll-up stands for its days (so a year is twelve rows per axis
    /// and side); in any other period only day rows count: a roll-up names Ended-axis receptions by month, which cannot
    /// say whether a dossier of a cut month was received inside the period or before it. A day row counts itself unless
    /// its month's roll-up was counted.
    /// </summary>
    public static ScoreTotals SumPeriod(IEnumerable<ScoreRow> dayRows, IEnumerable<ScoreRow> monthRows, DateOnly from, DateOnly to)
    {
        var totals = new ScoreTotals();
        var rolledUp = new HashSet<ScoreRowKey>();
        if (ScorePeriod.IsWholeMonths(from, to))
        {
            foreach (var month in monthRows)
            {
                if (month.Day < from || month.Day > to) continue;
                rolledUp.Add(new ScoreRowKey(month.Axis, month.Side, month.Day));
                totals[month.Axis, month.Side].Add(month.Counters);
            }
        }
        foreach (var day in dayRows)
        {
            if (day.Day < from || day.Day > to || rolledUp.Contains(new ScoreRowKey(day.Axis, day.Side, MonthOf(day.Day)))) continue;
            totals[day.Axis, day.Side].Add(day.Counters);
        }
        return totals;
    }

    private static CounterSet MonthCounters(ScoreAxis axis, IEnumerable<CounterSet> days)
    {
        var month = new CounterSet();
        foreach (var day in days)
            foreach (var (name, count) in day) month.Add(axis == ScoreAxis.Ended ? ScoreCounterNames.EndedNameByMonth(name) : name, count);
        return month;
    }
}
