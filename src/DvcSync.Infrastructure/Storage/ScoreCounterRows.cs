using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Rows and columns of the scorecard counters. In an agency's partition, beside its entries: a day row
/// (<c>s|yyyyMMdd</c>) and a month roll-up (<c>t|yyyyMM</c>, versioned), each holding the four counter sets (axis ×
/// side) as one serialized column apiece — Azure Tables allows 252 properties, and a counter set can name a few hundred
/// days. In the roll-up table: one row per agency and year (partition <c>s2025</c>), the months side by side.
/// </summary>
internal static class ScoreKeys
{
    public const string DayPrefix = "s|";
    public const string MonthPrefix = "t|";

    public static string Day(DateOnly day) => DayPrefix + CompactDayKey(day);
    public static string Month(DateOnly month) => MonthPrefix + month.ToString("yyyyMM", CultureInfo.InvariantCulture);
    public static DateOnly ParseDay(string rowKey) => DateOnly.ParseExact(rowKey[DayPrefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture);
    public static DateOnly ParseMonth(string rowKey) => DateOnly.ParseExact(rowKey[MonthPrefix.Length..] + "01", "yyyyMMdd", CultureInfo.InvariantCulture);

    public static string RollupPartition(int year) => "s" + year.ToString(CultureInfo.InvariantCulture);

    public static string Column(ScoreAxis axis, ScoreSide side) => axis.ToString() + side;
    public static string RollupColumn(ScoreAxis axis, ScoreSide side, int month) => Column(axis, side) + month.ToString("00", CultureInfo.InvariantCulture);

    /// <summary>
    /// A month roll-up's counters of one axis and side with their days, beside the month-keyed columns (see
    /// <see cref="ScoreContributions.DaysByMonth"/>): the Ended axis by reception day (<c>EndedDays…</c>, read by a
    /// period that cuts a month for the months wholly inside) and open dossiers by due day (<c>DueDays…</c>, read by a
    /// period judged inside a month, such as the running year). A finished period of whole months selects neither.
    /// Written since month keys; older roll-ups hold day-keyed names in the main columns themselves (see
    /// <see cref="ScorePeriodQuery"/>).
    /// </summary>
    public static string DaysColumn(ScoreAxis axis, ScoreSide side) => (axis == ScoreAxis.Ended ? "EndedDays" : "DueDays") + side;
    public static string RollupDaysColumn(ScoreAxis axis, ScoreSide side, int month) => DaysColumn(axis, side) + month.ToString("00", CultureInfo.InvariantCulture);

    public static readonly IReadOnlyList<(ScoreAxis Axis, ScoreSide Side)> Sets =
        [(ScoreAxis.Received, ScoreSide.Source), (ScoreAxis.Received, ScoreSide.Portal), (ScoreAxis.Ended, ScoreSide.Source), (ScoreAxis.Ended, ScoreSide.Portal)];

    public static CounterSet Read(TableEntity row, string column) => ReadInto(row, column, new CounterSet());

    /// <summary>
    /// Adds a stored set (a flat JSON object of names and counts) to <paramref name="into"/>, read straight from the
    /// JSON: a year-long scorecard sums 48 of them per agency, and deserializing each into a dictionary first, then
    /// copying it, was most of the port's time. Names are looked up from the reader's buffer, so a name the total
    /// already holds costs no string.
    /// </summary>
    public static CounterSet ReadInto(TableEntity row, string column, CounterSet into) => ReadInto(row, column, into, skipMonths: false);

    /// <param name="skipMonths">Leaves out the month-keyed names a days column stands in for: Ended-axis reception
    /// months (<c>r:yyyyMM</c>, <c>rok:yyyyMM</c>) and due months (<c>due:yyyyMM</c>).</param>
    public static CounterSet ReadInto(TableEntity row, string column, CounterSet into, bool skipMonths)
    {
        if (row.GetString(column) is not { Length: > 0 } json) return into;
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, bytes);
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType == JsonTokenType.Null) return into;
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"A counter set is a JSON object, not {reader.TokenType}");
            Span<char> name = stackalloc char[64];
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // Counter names are a dozen characters; a longer one (never written today) takes the allocating path.
                var fits = !reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.Length <= name.Length;
                var written = fits ? reader.CopyString(name) : 0;
                var longName = fits ? null : reader.GetString()!;
                reader.Read();
                if (skipMonths && ScoreCounterNames.IsMonthKeyed(longName is null ? name[..written] : longName)) continue;
                if (longName is null) into.Add(name[..written], reader.GetInt64());
                else into.Add(longName, reader.GetInt64());
            }
            return into;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>An empty set is stored as no value, so a row says only what it counts.</summary>
    public static void Write(TableEntity row, string column, CounterSet counters)
    {
        if (counters.Count == 0) row.Remove(column);
        else row[column] = JsonSerializer.Serialize(counters.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value));
    }

    private static string CompactDayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}

/// <summary>
/// The scorecard counters a save changes, as actions of the entry's own transaction: for each change the difference
/// between what the new entry and the old one contribute (<see cref="ScoreContributions.Delta"/>), added to the day rows
/// and month roll-ups under their ETags. A change with no old entry adds, one with no new entry takes away — which is
/// how an entry that moves between agencies leaves one partition's counters and joins another's.
/// </summary>
internal sealed class ScoreCounterRows(LedgerDerivedRows derived)
{
    public async Task AddActionsAsync(string partition, IEnumerable<(LedgerEntry? Previous, LedgerEntry? Next)> changes,
        List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var delta = ScoreContributions.Sum(changes.Select(c => ScoreContributions.Delta(Of(c.Previous), Of(c.Next))));
        if (delta.IsEmpty) return;
        await AddRowsAsync(partition, delta, ScoreKeys.Day, versioned: false, actions, cancellationToken);
        await AddRowsAsync(partition, delta.ByMonth(), ScoreKeys.Month, versioned: true, actions, cancellationToken, delta.DaysByMonth());
    }

    private static ScoreContributions Of(LedgerEntry? entry) => entry?.Contributions() ?? ScoreContributions.None;

    private async Task AddRowsAsync(string partition, ScoreContributions delta, Func<DateOnly, string> key, bool versioned,
        List<TableTransactionAction> actions, CancellationToken cancellationToken, ScoreContributions? days = null)
    {
        foreach (var day in delta.Rows.Keys.Concat(days?.Rows.Keys ?? []).Select(k => k.Day).Distinct())
        {
            var row = await derived.ReadOrNewAsync(partition, key(day), cancellationToken);
            foreach (var (axis, side) in ScoreKeys.Sets)
            {
                if (!delta.Rows.TryGetValue(new ScoreRowKey(axis, side, day), out var change)) continue;
                var column = ScoreKeys.Column(axis, side);
                ScoreKeys.Write(row.Entity, column, ScoreKeys.Read(row.Entity, column).Add(change));
            }
            foreach (var (axis, side) in ScoreKeys.Sets)
            {
                if (days is null || !days.Rows.TryGetValue(new ScoreRowKey(axis, side, day), out var change)) continue;
                var column = ScoreKeys.DaysColumn(axis, side);
                ScoreKeys.Write(row.Entity, column, ScoreKeys.Read(row.Entity, column).Add(change));
            }
            // Orders the copies in the roll-up table: an older copy never overwrites a newer one.
            if (versioned) row.Entity["Version"] = (row.Entity.GetInt64("Version") ?? 0) + 1;
            actions.Add(row.Action());
        }
    }

    /// <summary>The month roll-ups a transaction changes: their copies follow it.</summary>
    public static IEnumerable<string> MonthsTouched(IEnumerable<TableTransactionAction> actions) =>
        actions.Select(a => a.Entity.RowKey).Where(k => k.StartsWith(ScoreKeys.MonthPrefix, StringComparison.Ordinal));
}
