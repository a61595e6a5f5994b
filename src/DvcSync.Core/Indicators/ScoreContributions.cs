namespace DvcSync.Core.Indicators;

/// <summary>Whose copy a count judges: the provincial system's, or the one the portal holds.</summary>
public enum ScoreSide
{
    Source,
    Portal,
}

/// <summary>Which day a scorecard row is keyed by.</summary>
public enum ScoreAxis
{
    /// <summary>The dossier's reception day — the province's NgayTiepNhan on both sides, as in indicator 1.4.</summary>
    Received,
    /// <summary>The day that side's copy ended processing: 2.1 counts dossiers processed in the period too.</summary>
    Ended,
}

/// <summary>One scorecard row of an agency: an axis, a side, and a day (or the first day of a month for a roll-up).</summary>
public readonly record struct ScoreRowKey(ScoreAxis Axis, ScoreSide Side, DateOnly Day);

/// <summary>A change one ledger entry makes to one named counter of one row.</summary>
public sealed record ScoreIncrement(ScoreAxis Axis, ScoreSide Side, DateOnly Day, string Counter, long Delta);

/// <summary>
/// The counter names. They are stored, so they are short and never change meaning; a new fact gets a new name.
/// On the Received axis every counter but <see cref="WithoutFacts"/> counts the copies of that side that carry facts.
/// </summary>
public static class ScoreCounterNames
{
    /// <summary>Copies with facts: the population every other Received-axis counter is part of.</summary>
    public const string Population = "n";
    public const string Online = "ch2";
    public const string FeeBearing = "fee";
    /// <summary>Paid online among the fee-bearing: a numerator stays inside its denominator.</summary>
    public const string PaidOnline = "paid";
    public const string ReturnsResult = "ret";
    /// <summary>With a result link among those that return a result.</summary>
    public const string ResultLink = "link";
    public const string Digitised = "dig";
    public const string Vneid = "vneid";
    public const string Ended = "end";
    public const string EndedOnTime = "ok";
    /// <summary>Open dossiers without a due date: they cannot be late.</summary>
    public const string OpenWithoutDueDay = "due:none";
    public const string OpenForcedLate = "late";
    /// <summary>Ledger entries whose facts were never collected: the indicators cannot be computed over them.</summary>
    public const string WithoutFacts = "nofacts";

    private const string DuePrefix = "due:";
    private const string ReceivedPrefix = "r:";
    private const string ReceivedOnTimePrefix = "rok:";
    private const string NoDay = "none";

    /// <summary>Received axis: open dossiers by effective due day.</summary>
    public static string OpenDueOn(DateOnly day) => DuePrefix + CompactDay.Format(day);

    /// <summary>Month roll-ups, Received axis: open dossiers by the month of their effective due day (<c>due:yyyyMM</c>).</summary>
    public static string OpenDueInMonth(DateOnly month) => DuePrefix + CompactDay.FormatMonth(month);

    /// <summary>
    /// The due days a Received-axis name of open dossiers stands for, first and last inclusive: one day for a day-keyed
    /// name (day rows, roll-ups' due-days columns, and roll-ups written before month keys), a whole month for a
    /// month-keyed one. False for <c>due:none</c> and for names of other counters.
    /// </summary>
    public static bool TryParseOpenDue(string name, out DateOnly first, out DateOnly last) => TryParseDayOrMonth(name, DuePrefix, out first, out last);

    /// <summary>Whether a name counts open dossiers by a due day or month (<c>due:none</c> is neither).</summary>
    public static bool IsOpenDueDated(ReadOnlySpan<char> name) =>
        name.StartsWith(DuePrefix, StringComparison.Ordinal) && name.Length > DuePrefix.Length && name[DuePrefix.Length] is >= '0' and <= '9';

    /// <summary>Ended axis: dossiers that ended that day, by reception day (none: no NgayTiepNhan).</summary>
    public static string EndedReceivedOn(DateOnly? day) => ReceivedPrefix + DayOrNone(day);

    /// <summary>Ended axis: those of them that ended on time.</summary>
    public static string EndedOnTimeReceivedOn(DateOnly? day) => ReceivedOnTimePrefix + DayOrNone(day);

    /// <summary>Month roll-ups, Ended axis: dossiers that ended in the month, by reception month (<c>r:yyyyMM</c>).</summary>
    public static string EndedReceivedInMonth(DateOnly month) => ReceivedPrefix + CompactDay.FormatMonth(month);

    /// <summary>Month roll-ups, Ended axis: those of them that ended on time (<c>rok:yyyyMM</c>).</summary>
    public static string EndedOnTimeReceivedInMonth(DateOnly month) => ReceivedOnTimePrefix + CompactDay.FormatMonth(month);

    /// <summary>
    /// The reception days an Ended-axis name of dossiers stands for, first and last inclusive: one day for a day-keyed
    /// name (day rows, and roll-ups written before month keys), a whole month for a month-keyed one. False for
    /// <c>r:none</c> and for names of other counters.
    /// </summary>
    public static bool TryParseEndedReceived(string name, out DateOnly first, out DateOnly last) =>
        TryParseDayOrMonth(name, ReceivedPrefix, out first, out last);

    /// <summary>The same for the on-time ones (<c>rok:</c>).</summary>
    public static bool TryParseEndedOnTimeReceived(string name, out DateOnly first, out DateOnly last) =>
        TryParseDayOrMonth(name, ReceivedOnTimePrefix, out first, out last);

    /// <summary>
    /// The name a roll-up keeps for an Ended-axis counter: a reception day becomes its month (<c>r:yyyyMMdd</c> →
    /// <c>r:yyyyMM</c>, the same for <c>rok:</c>); every other name, month-keyed ones and <c>r:none</c> included, is kept.
    /// </summary>
    public static string EndedNameByMonth(string name)
    {
        if (TryParseDay(name, ReceivedPrefix, out var day)) return EndedReceivedInMonth(day);
        if (TryParseDay(name, ReceivedOnTimePrefix, out day)) return EndedOnTimeReceivedInMonth(day);
        return name;
    }

    /// <summary>
    /// The name a roll-up keeps for a Received-axis counter: a due day becomes its month (<c>due:yyyyMMdd</c> →
    /// <c>due:yyyyMM</c>); every other name is kept.
    /// </summary>
    public static string ReceivedNameByMonth(string name) =>
        TryParseDay(name, DuePrefix, out var day) ? OpenDueInMonth(day) : name;

    /// <summary>The name a roll-up keeps for a counter of <paramref name="axis"/>: days collapsed to months.</summary>
    public static string NameByMonth(ScoreAxis axis, string name) =>
        axis == ScoreAxis.Ended ? EndedNameByMonth(name) : ReceivedNameByMonth(name);

    /// <summary>
    /// Whether a name is one month roll-ups write where day rows keep days (<see cref="NameByMonth"/>): an Ended-axis
    /// reception month (<c>r:yyyyMM</c>, <c>rok:yyyyMM</c>) or a due month (<c>due:yyyyMM</c>).
    /// </summary>
    public static bool IsMonthKeyed(ReadOnlySpan<char> name) =>
        IsMonth(name, ReceivedPrefix) || IsMonth(name, ReceivedOnTimePrefix) || IsMonth(name, DuePrefix);

    private static bool IsMonth(ReadOnlySpan<char> name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && CompactDay.TryParseMonth(name[prefix.Length..], out _);

    private static string DayOrNone(DateOnly? day) => day is { } d ? CompactDay.Format(d) : NoDay;

    private static bool TryParseDayOrMonth(string name, string prefix, out DateOnly first, out DateOnly last)
    {
        first = last = default;
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var text = name.AsSpan(prefix.Length);
        if (CompactDay.TryParse(text, out first))
        {
            last = first;
            return true;
        }
        if (!CompactDay.TryParseMonth(text, out first)) return false;
        last = first.AddMonths(1).AddDays(-1);
        return true;
    }

    private static bool TryParseDay(string name, string prefix, out DateOnly day)
    {
        day = default;
        return name.StartsWith(prefix, StringComparison.Ordinal) && CompactDay.TryParse(name.AsSpan(prefix.Length), out day);
    }
}

/// <summary>
/// The scorecard counters one ledger entry contributes, per row. Storage keeps, in the same transaction as the
/// entry, the sum over entries of these; when an entry changes it applies <see cref="Delta"/> of its old and new
/// contributions, to the day rows and (through <see cref="ByMonth"/>) to the month roll-ups.
/// </summary>
public sealed class ScoreContributions
{
    private readonly Dictionary<ScoreRowKey, CounterSet> _rows;

    private ScoreContributions(Dictionary<ScoreRowKey, CounterSet> rows) => _rows = rows;

    /// <summary>What an entry that is not there contributes: the "previous" of a new entry.</summary>
    public static ScoreContributions None => new([]);

    public IReadOnlyDictionary<ScoreRowKey, CounterSet> Rows => _rows;

    public bool IsEmpty => _rows.Count == 0;

    /// <summary>Every change as one increment, in a stable order (axis, side, day, name).</summary>
    public IReadOnlyList<ScoreIncrement> Increments =>
        _rows.OrderBy(r => r.Key.Axis).ThenBy(r => r.Key.Side).ThenBy(r => r.Key.Day)
            .SelectMany(r => r.Value.OrderBy(c => c.Key, StringComparer.Ordinal)
                .Select(c => new ScoreIncrement(r.Key.Axis, r.Key.Side, r.Key.Day, c.Key, c.Value)))
            .ToList();

    /// <param name="receivedDay">The entry's reception day: the province's NgayTiepNhan, the key of its 1.4 counts.</param>
    /// <param name="source">The provincial copy's facts; null for an entry recorded before facts were collected, which
    /// then counts as <see cref="ScoreCounterNames.WithoutFacts"/> on both sides, since what the portal holds is
    /// unknown too.</param>
    /// <param name="portal">The facts of the copy the portal holds; null when it holds none. A copy without
    /// NgayTiepNhan is never counted (sync-api.md), whatever the caller passes.</param>
    public static ScoreContributions Of(DateOnly? receivedDay, DossierFacts? source, DossierFacts? portal)
    {
        var rows = new Dictionary<ScoreRowKey, CounterSet>();
        if (source is null)
        {
            if (receivedDay is { } day)
            {
                Row(rows, ScoreAxis.Received, ScoreSide.Source, day).Add(ScoreCounterNames.WithoutFacts, 1);
                if (portal is null) Row(rows, ScoreAxis.Received, ScoreSide.Portal, day).Add(ScoreCounterNames.WithoutFacts, 1);
            }
        }
        else
        {
            Count(rows, ScoreSide.Source, receivedDay, source);
        }
        // A portal copy counts only beside a reception day of the province's: the 1.4 route keys it the same way.
        if (portal is { ReceivedDay: not null } && receivedDay is not null) Count(rows, ScoreSide.Portal, receivedDay, portal);
        return new ScoreContributions(rows);
    }

    /// <summary>What storage must add to go from one entry's contributions to the next: next − previous, zeros dropped.</summary>
    public static ScoreContributions Delta(ScoreContributions previous, ScoreContributions next)
    {
        var rows = new Dictionary<ScoreRowKey, CounterSet>();
        foreach (var (key, counters) in next._rows) Row(rows, key).Add(counters);
        foreach (var (key, counters) in previous._rows) Row(rows, key).Subtract(counters);
        return new ScoreContributions(rows.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value));
    }

    /// <summary>Several changes as one: what a transaction saving several entries of an agency applies.</summary>
    public static ScoreContributions Sum(IEnumerable<ScoreContributions> changes)
    {
        var rows = new Dictionary<ScoreRowKey, CounterSet>();
        foreach (var change in changes)
            foreach (var (key, counters) in change._rows) Row(rows, key).Add(counters);
        return new ScoreContributions(rows.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value));
    }

    /// <summary>
    /// The same contributions keyed by month (the first day of the month) for the roll-up rows, with the Ended axis's
    /// reception days and the Received axis's due days collapsed to months (<see cref="ScoreCounterNames.NameByMonth"/>).
    /// A roll-up is read for periods made of whole months (a month, a quarter, a year): for those "received in the
    /// period" is the same question of a day and of its month, and so is "due on or after the evaluation day" when
    /// that day is the first of a month (<see cref="ScorePeriod.JudgesDueByMonth"/>), as it is for every finished
    /// period. The day-keyed names were most of a year-long scorecard's bytes. Periods that cut a month, and running
    /// periods judged today, read the days where the roll-ups keep them apart, or day rows.
    /// </summary>
    public ScoreContributions ByMonth()
    {
        var rows = new Dictionary<ScoreRowKey, CounterSet>();
        foreach (var (key, counters) in _rows)
        {
            var month = Row(rows, key with { Day = ScoreRows.MonthOf(key.Day) });
            foreach (var (name, count) in counters) month.Add(ScoreCounterNames.NameByMonth(key.Axis, name), count);
        }
        return new ScoreContributions(rows.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value));
    }

    /// <summary>
    /// What roll-ups keep apart with its days, keyed by month: the Ended axis with its reception days, and the Received
    /// axis's open dossiers by due day. A period that cuts a month reads the first (<see cref="ScorePeriod.IsWholeMonths"/>),
    /// a period judged inside a month the second (<see cref="ScorePeriod.JudgesDueByMonth"/>), so neither reads every
    /// day row; a finished year reads neither.
    /// </summary>
    public ScoreContributions DaysByMonth()
    {
        var rows = new Dictionary<ScoreRowKey, CounterSet>();
        foreach (var (key, counters) in _rows)
        {
            var month = Row(rows, key with { Day = ScoreRows.MonthOf(key.Day) });
            if (key.Axis == ScoreAxis.Ended) month.Add(counters);
            else foreach (var (name, count) in counters) if (ScoreCounterNames.IsOpenDueDated(name)) month.Add(name, count);
        }
        return new ScoreContributions(rows.Where(r => r.Value.Count > 0).ToDictionary(r => r.Key, r => r.Value));
    }

    /// <summary>The rows of one axis.</summary>
    public ScoreContributions OnAxis(ScoreAxis axis) => new(_rows.Where(r => r.Key.Axis == axis).ToDictionary(r => r.Key, r => r.Value));

    private static void Count(Dictionary<ScoreRowKey, CounterSet> rows, ScoreSide side, DateOnly? receivedDay, DossierFacts facts)
    {
        var judgement = facts.OnTime;
        if (receivedDay is { } day)
        {
            var row = Row(rows, ScoreAxis.Received, side, day);
            row.Add(ScoreCounterNames.Population, 1);
            if (facts.Online) row.Add(ScoreCounterNames.Online, 1);
            if (facts.FeeBearing) row.Add(ScoreCounterNames.FeeBearing, 1);
            if (facts.FeeBearing && facts.PaidOnline) row.Add(ScoreCounterNames.PaidOnline, 1);
            if (facts.ReturnsResult) row.Add(ScoreCounterNames.ReturnsResult, 1);
            if (facts.ReturnsResult && facts.HasResultLink) row.Add(ScoreCounterNames.ResultLink, 1);
            if (facts.Digitised) row.Add(ScoreCounterNames.Digitised, 1);
            if (facts.VneidVerified) row.Add(ScoreCounterNames.Vneid, 1);
            switch (judgement.State)
            {
                case OnTimeState.Ended:
                    row.Add(ScoreCounterNames.Ended, 1);
                    if (judgement.EndedOnTime) row.Add(ScoreCounterNames.EndedOnTime, 1);
                    break;
                case OnTimeState.Open:
                    row.Add(judgement.Day is { } due ? ScoreCounterNames.OpenDueOn(due) : ScoreCounterNames.OpenWithoutDueDay, 1);
                    break;
                default:
                    row.Add(ScoreCounterNames.OpenForcedLate, 1);
                    break;
            }
        }
        if (judgement is { State: OnTimeState.Ended, Day: { } endDay })
        {
            var ended = Row(rows, ScoreAxis.Ended, side, endDay);
            ended.Add(ScoreCounterNames.EndedReceivedOn(receivedDay), 1);
            if (judgement.EndedOnTime) ended.Add(ScoreCounterNames.EndedOnTimeReceivedOn(receivedDay), 1);
        }
    }

    private static CounterSet Row(Dictionary<ScoreRowKey, CounterSet> rows, ScoreAxis axis, ScoreSide side, DateOnly day) =>
        Row(rows, new ScoreRowKey(axis, side, day));

    private static CounterSet Row(Dictionary<ScoreRowKey, CounterSet> rows, ScoreRowKey key)
    {
        if (!rows.TryGetValue(key, out var counters)) rows[key] = counters = new CounterSet();
        return counters;
    }
}
