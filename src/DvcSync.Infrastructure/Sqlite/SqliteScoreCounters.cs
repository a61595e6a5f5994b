using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Infrastructure.Storage;
using Microsoft.Data.Sqlite;
using static DvcSync.Infrastructure.Sqlite.SqliteStore;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// The scorecard counters in the embedded store: one row per (agency, day or month, axis, side, counter name), changed
/// by <see cref="ScoreContributions.Delta"/> in the transaction that saves the entries, so they equal a recount. A
/// counter that comes back to zero is deleted: a row says only what it counts, as a <see cref="CounterSet"/> does.
/// Axis and side are stored by name, which never changes meaning.
/// </summary>
internal sealed class SqliteScoreCounters(SqliteStore store)
{
    /// <summary>Applies what the saved entries change, each to its own agency: an entry that moves leaves one agency's counters and joins another's.</summary>
    public static void Adjust(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<(LedgerEntry? Previous, LedgerEntry Next)> saved)
    {
        var byAgency = new Dictionary<string, List<ScoreContributions>>(StringComparer.Ordinal);
        void Add(string agency, ScoreContributions delta)
        {
            if (!byAgency.TryGetValue(agency, out var deltas)) byAgency[agency] = deltas = [];
            deltas.Add(delta);
        }
        foreach (var (previous, next) in saved)
        {
            if (previous is not null && !string.Equals(previous.MaDonVi, next.MaDonVi, StringComparison.Ordinal))
            {
                Add(previous.MaDonVi, ScoreContributions.Delta(previous.Contributions(), ScoreContributions.None));
                Add(next.MaDonVi, next.Contributions());
            }
            else Add(next.MaDonVi, ScoreContributions.Delta(previous?.Contributions() ?? ScoreContributions.None, next.Contributions()));
        }
        foreach (var (agency, deltas) in byAgency)
        {
            var delta = ScoreContributions.Sum(deltas);
            if (delta.IsEmpty) continue;
            Apply(connection, transaction, "score_day", "day", agency, delta, SqliteSchema.Day);
            Apply(connection, transaction, "score_month", "month", agency, delta.ByMonth(), SqliteSchema.Month);
            Apply(connection, transaction, "score_month_days", "month", agency, DueDaysByMonth(delta), SqliteSchema.Month);
        }
    }

    /// <summary>
    /// Open dossiers by due day, kept by month beside the roll-ups (<c>score_month_days</c>): what a period of whole
    /// months judged inside a month (the running year, judged today) reads instead of the roll-ups' due months. The
    /// Ended axis's days are not kept there: a period that cuts a month reads day rows.
    /// </summary>
    private static ScoreContributions DueDaysByMonth(ScoreContributions delta) => delta.DaysByMonth().OnAxis(ScoreAxis.Received);

    /// <summary>
    /// One read, one range query over every agency at once, summed by SQLite per agency, axis, side and name. A period of
    /// whole months (a month, a quarter, a year) is its months' roll-ups; when it is judged inside a month
    /// (<see cref="ScorePeriod.JudgesDueByMonth"/>), the roll-ups' due months give way to the due days of
    /// <c>score_month_days</c> (roll-ups written before month keys hold due days themselves, and keep them). Any other
    /// period (a week, a range that cuts a month) is its day rows, all of them: the roll-ups name Ended-axis receptions
    /// by month (<see cref="ScoreContributions.ByMonth"/>), which cannot tell a dossier received in the cut part of a
    /// month from one received before the period. A query per agency, and a .NET row per stored counter, cost a
    /// year-long province scorecard 130 statements and hundreds of thousands of rows.
    /// </summary>
    public Task<IReadOnlyDictionary<string, ScoreTotals>> GetTotalsAsync(IReadOnlyCollection<string> agencies, ScorePeriod period,
        CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyDictionary<string, ScoreTotals>>(connection =>
        {
            var totals = new Dictionary<string, ScoreTotals>(StringComparer.Ordinal);
            foreach (var agency in agencies) totals.TryAdd(agency, new ScoreTotals());
            // The same order as totals.Values: a row names its agency by its index in this list.
            var wanted = System.Text.Json.JsonSerializer.Serialize(totals.Keys.ToArray());
            var (from, to) = (period.From, period.To);
            if (!ScorePeriod.IsWholeMonths(from, to)) SumInto(connection, "score_day", "day", wanted, SqliteSchema.Day(from), SqliteSchema.Day(to), totals);
            else if (period.JudgesDueByMonth) SumInto(connection, "score_month", "month", wanted, SqliteSchema.Month(from), SqliteSchema.Month(to), totals);
            else
            {
                SumInto(connection, "score_month", "month", wanted, SqliteSchema.Month(from), SqliteSchema.Month(to), totals,
                    "NOT (t.axis = 'Received' AND t.counter GLOB 'due:[0-9][0-9][0-9][0-9][0-9][0-9]')");
                SumInto(connection, "score_month_days", "month", wanted, SqliteSchema.Month(from), SqliteSchema.Month(to), totals);
            }
            return totals;
        }, cancellationToken);

    /// <summary>Adds the counters of the given agencies whose day (or month) key lies between the two.</summary>
    private static void SumInto(SqliteConnection connection, string table, string period, string agenciesJson, int low, int high,
        Dictionary<string, ScoreTotals> totals, string condition = "1")
    {
        // The agency list drives the loop, so each agency is a range of the primary key (ma_don_vi, period, …). A row
        // carries the agency as its index in the list and the axis and side as one number, so the name is the only
        // string read per row: a year of a province is a few hundred thousand rows, and each string is an allocation.
        using var command = SqliteStore.Command(connection, null, $"""
            SELECT a.key, (t.axis = 'Ended') * 2 + (t.side = 'Portal'), t.counter, t.count
            FROM json_each($agencies) AS a CROSS JOIN {table} AS t
            WHERE t.ma_don_vi = a.value AND t.{period} BETWEEN $low AND $high AND {condition}
            """, ("$agencies", agenciesJson), ("$low", low), ("$high", high));
        var byIndex = totals.Values.ToArray();
        var sets = byIndex.Select(t => new[]
        {
            t[ScoreAxis.Received, ScoreSide.Source], t[ScoreAxis.Received, ScoreSide.Portal], t[ScoreAxis.Ended, ScoreSide.Source], t[ScoreAxis.Ended, ScoreSide.Portal],
        }).ToArray();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            sets[reader.GetInt32(0)][reader.GetInt32(1)].Add(reader.GetString(2), reader.GetInt64(3));
    }

    private static ScoreAxis Axis(string name) => name switch
    {
        nameof(ScoreAxis.Received) => ScoreAxis.Received,
        nameof(ScoreAxis.Ended) => ScoreAxis.Ended,
        _ => Enum.Parse<ScoreAxis>(name),
    };

    private static ScoreSide Side(string name) => name switch
    {
        nameof(ScoreSide.Source) => ScoreSide.Source,
        nameof(ScoreSide.Portal) => ScoreSide.Portal,
        _ => Enum.Parse<ScoreSide>(name),
    };

    public Task<IReadOnlyList<ScoreRow>> GetDayRowsAsync(string maDonVi, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<ScoreRow>>(connection =>
            Read(connection, "score_day", "day", maDonVi, SqliteSchema.Day(from), SqliteSchema.Day(to), SqliteSchema.ReadDay), cancellationToken);

    private static void Apply(SqliteConnection connection, SqliteTransaction transaction, string table, string period, string agency,
        ScoreContributions delta, Func<DateOnly, int> key)
    {
        foreach (var increment in delta.Increments)
        {
            (string, object?)[] row =
                [("$a", agency), ("$p", key(increment.Day)), ("$axis", increment.Axis.ToString()), ("$side", increment.Side.ToString()), ("$c", increment.Counter)];
            Execute(connection, transaction, $"""
                INSERT INTO {table} (ma_don_vi, {period}, axis, side, counter, count) VALUES ($a, $p, $axis, $side, $c, $delta)
                ON CONFLICT DO UPDATE SET count = count + excluded.count
                """, [.. row, ("$delta", increment.Delta)]);
            Execute(connection, transaction,
                $"DELETE FROM {table} WHERE ma_don_vi = $a AND {period} = $p AND axis = $axis AND side = $side AND counter = $c AND count = 0", row);
        }
    }

    /// <summary>The rows of one agency whose day (or month) key lies between the two, each (axis, side, key) once.</summary>
    private static List<ScoreRow> Read(SqliteConnection connection, string table, string period, string agency, int low, int high,
        Func<long, DateOnly> parse)
    {
        using var command = SqliteStore.Command(connection, null, $"""
            SELECT {period}, axis, side, counter, count FROM {table} WHERE ma_don_vi = $a AND {period} BETWEEN $low AND $high
            """, ("$a", agency), ("$low", low), ("$high", high));
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<ScoreRowKey, CounterSet>();
        while (reader.Read())
        {
            var key = new ScoreRowKey(Axis(reader.GetString(1)), Side(reader.GetString(2)), parse(reader.GetInt64(0)));
            if (!rows.TryGetValue(key, out var counters)) rows[key] = counters = new CounterSet();
            counters.Add(reader.GetString(3), reader.GetInt64(4));
        }
        return rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)).ToList();
    }
}
