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

    /// <summary>Sums the day rows of a period, both days inclusive: what a recount of the entries gives, whatever the period.</summary>
    public static ScoreTotals SumPeriod(IEnumerable<ScoreRow> dayRows, DateOnly from, DateOnly to) =>
        SumPeriod(dayRows, [], ScorePeriod.Of(from, to, to.AddDays(1)));

    /// <summary>
    /// Sums the rows of a period as the storage ports do. In a period of whole months
    /// (<see cref="ScorePeriod.IsWholeMonths"/>) a month's roll-up stands for its days (so a year is twelve rows per axis
    /// and side), except for open dossiers' due days when the period is judged inside a month
    /// (<see cref="ScorePeriod.JudgesDueByMonth"/>): the roll-up names due months, so those names come from the month's
    /// day rows instead. In any other period only day rows count: a roll-up names Ended-axis receptions by month, which
    /// cannot say whether a dossier of a cut month was received inside the period or before it.
    /// </summary>
    public static ScoreTotals SumPeriod(IEnumerable<ScoreRow> dayRows, IEnumerable<ScoreRow> monthRows, ScorePeriod period)
    {
        var totals = new ScoreTotals();
        var rolledUp = new HashSet<ScoreRowKey>();
        var dueByDay = !period.JudgesDueByMonth;
        if (ScorePeriod.IsWholeMonths(period.From, period.To))
        {
            foreach (var month in monthRows)
            {
                if (!period.Contains(month.Day)) continue;
                rolledUp.Add(new ScoreRowKey(month.Axis, month.Side, month.Day));
                var total = totals[month.Axis, month.Side];
                foreach (var (name, count) in month.Counters)
                    if (!(dueByDay && month.Axis == ScoreAxis.Received && ScoreCounterNames.IsOpenDueDated(name))) total.Add(name, count);
            }
        }
        foreach (var day in dayRows)
        {
            if (!period.Contains(day.Day)) continue;
            var total = totals[day.Axis, day.Side];
            if (!rolledUp.Contains(new ScoreRowKey(day.Axis, day.Side, MonthOf(day.Day)))) total.Add(day.Counters);
            else if (dueByDay && day.Axis == ScoreAxis.Received)
                foreach (var (name, count) in day.Counters)
                    if (ScoreCounterNames.IsOpenDueDated(name)) total.Add(name, count);
        }
        return totals;
    }

    private static CounterSet MonthCounters(ScoreAxis axis, IEnumerable<CounterSet> days)
    {
        var month = new CounterSet();
        foreach (var day in days)
            foreach (var (name, count) in day) month.Add(ScoreCounterNames.NameByMonth(axis, name), count);
        return month;
    }
}
