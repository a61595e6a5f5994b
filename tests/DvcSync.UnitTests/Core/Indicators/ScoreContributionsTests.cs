using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using static DvcSync.Core.Indicators.ScoreAxis;
using static DvcSync.Core.Indicators.ScoreSide;

namespace DvcSync.UnitTests.Core.Indicators;

public class ScoreContributionsTests
{
    private static readonly DateOnly Jan15 = new(2025, 1, 15);
    private static readonly DateOnly Jan16 = new(2025, 1, 16);
    private static readonly DateOnly Jan20 = new(2025, 1, 20);
    private static readonly DateOnly Jan25 = new(2025, 1, 25);

    /// <summary>Online, digitised, fee-bearing and paid, in processing, due 25 Jan.</summary>
    private static readonly DossierFacts InProcessing = new(Jan15, TrangThaiHoSo.DangXuLy, 2, FeeBearing: true, PaidOnline: true,
        HasResultLink: false, Digitised: true, VneidVerified: false, OnTimeJudgement.Open(Jan25));

    /// <summary>The same dossier returned on 20 Jan with a result link.</summary>
    private static readonly DossierFacts Returned = InProcessing with
    {
        Status = TrangThaiHoSo.DaTraKetQua, HasResultLink = true, OnTime = OnTimeJudgement.Ended(Jan20, true),
    };

    private static ScoreIncrement Inc(ScoreAxis axis, ScoreSide side, DateOnly day, string counter, long delta) => new(axis, side, day, counter, delta);

    [Fact]
    public void A_dossier_counts_on_its_reception_day_and_once_ended_on_its_end_day_by_reception_day()
    {
        var increments = ScoreContributions.Of(Jan15, Returned, null).Increments;

        Assert.Equal(
        [
            Inc(Received, Source, Jan15, "ch2", 1), Inc(Received, Source, Jan15, "dig", 1), Inc(Received, Source, Jan15, "end", 1),
            Inc(Received, Source, Jan15, "fee", 1), Inc(Received, Source, Jan15, "link", 1), Inc(Received, Source, Jan15, "n", 1),
            Inc(Received, Source, Jan15, "ok", 1), Inc(Received, Source, Jan15, "paid", 1), Inc(Received, Source, Jan15, "ret", 1),
            Inc(Ended, Source, Jan20, "r:20250115", 1), Inc(Ended, Source, Jan20, "rok:20250115", 1),
        ], increments);
    }

    [Fact]
    public void An_open_dossier_counts_by_its_due_day()
    {
        Assert.Equal(1, ScoreContributions.Of(Jan15, InProcessing, null).Rows[new ScoreRowKey(Received, Source, Jan15)]["due:20250125"]);
        Assert.Equal(1, ScoreContributions.Of(Jan15, InProcessing with { OnTime = OnTimeJudgement.Open(null) }, null)
            .Rows[new ScoreRowKey(Received, Source, Jan15)]["due:none"]);
        Assert.Equal(1, ScoreContributions.Of(Jan15, InProcessing with { OnTime = OnTimeJudgement.OpenLate }, null)
            .Rows[new ScoreRowKey(Received, Source, Jan15)]["late"]);
    }

    [Fact]
    public void Paid_online_without_a_fee_and_a_result_link_without_a_result_count_nothing()
    {
        var facts = InProcessing with { FeeBearing = false, PaidOnline = true, HasResultLink = true };
        var row = ScoreContributions.Of(Jan15, facts, null).Rows[new ScoreRowKey(Received, Source, Jan15)];

        Assert.Equal(0, row["paid"]);
        Assert.Equal(0, row["link"]);
    }

    [Fact]
    public void The_portal_copy_counts_on_the_provinces_reception_day()
    {
        // The portal's copy says it was received on the 16th; 1.4 keys the dossier by the province's 15th.
        var contributions = ScoreContributions.Of(Jan15, Returned, InProcessing with { ReceivedDay = Jan16 });

        Assert.Equal(1, contributions.Rows[new ScoreRowKey(Received, Portal, Jan15)]["n"]);
        Assert.Equal(1, contributions.Rows[new ScoreRowKey(Received, Portal, Jan15)]["due:20250125"]);
        Assert.DoesNotContain(new ScoreRowKey(Received, Portal, Jan16), contributions.Rows.Keys);
    }

    [Fact]
    public void A_portal_copy_without_NgayTiepNhan_is_not_counted()
    {
        var contributions = ScoreContributions.Of(Jan15, Returned, Returned with { ReceivedDay = null });

        Assert.DoesNotContain(contributions.Rows.Keys, k => k.Side == Portal);
        Assert.Equal(1, contributions.Rows[new ScoreRowKey(Received, Source, Jan15)]["n"]);
    }

    [Fact]
    public void An_entry_without_facts_is_counted_as_such_on_both_sides()
    {
        var increments = ScoreContributions.Of(Jan15, null, null).Increments;

        Assert.Equal([Inc(Received, Source, Jan15, "nofacts", 1), Inc(Received, Portal, Jan15, "nofacts", 1)], increments);
    }

    [Fact]
    public void A_dossier_without_a_reception_day_counts_only_as_ended_with_no_reception_day()
    {
        var increments = ScoreContributions.Of(null, Returned with { ReceivedDay = null }, null).Increments;

        Assert.Equal([Inc(Ended, Source, Jan20, "r:none", 1), Inc(Ended, Source, Jan20, "rok:none", 1)], increments);
    }

    [Fact]
    public void Delta_of_a_status_change_moves_the_dossier_from_open_to_ended()
    {
        var before = ScoreContributions.Of(Jan15, InProcessing, null);
        var after = ScoreContributions.Of(Jan15, Returned, null);

        var delta = ScoreContributions.Delta(before, after).Increments;

        // Open due 25 Jan → returned on time 20 Jan with a result link: the counters it has in both states cancel.
        Assert.Equal(
        [
            Inc(Received, Source, Jan15, "due:20250125", -1), Inc(Received, Source, Jan15, "end", 1), Inc(Received, Source, Jan15, "link", 1),
            Inc(Received, Source, Jan15, "ok", 1), Inc(Received, Source, Jan15, "ret", 1),
            Inc(Ended, Source, Jan20, "r:20250115", 1), Inc(Ended, Source, Jan20, "rok:20250115", 1),
        ], delta);
    }

    [Fact]
    public void Delta_of_a_corrected_reception_day_transfers_the_facts_from_one_day_to_the_other()
    {
        var before = ScoreContributions.Of(Jan15, InProcessing, null);
        var after = ScoreContributions.Of(Jan16, InProcessing with { ReceivedDay = Jan16 }, null);

        var delta = ScoreContributions.Delta(before, after).Increments;

        string[] counters = ["ch2", "dig", "due:20250125", "fee", "n", "paid"];
        Assert.Equal(
            counters.Select(c => Inc(Received, Source, Jan15, c, -1)).Concat(counters.Select(c => Inc(Received, Source, Jan16, c, 1))),
            delta);
    }

    [Fact]
    public void Delta_of_a_copy_the_portal_gained_adds_the_portal_side_only()
    {
        var before = ScoreContributions.Of(Jan15, Returned, null);
        var after = ScoreContributions.Of(Jan15, Returned, Returned);

        var delta = ScoreContributions.Delta(before, after);

        Assert.Equal(ScoreContributions.Of(Jan15, Returned, null).Increments.Select(i => i with { Side = Portal }), delta.Increments);
        Assert.Equal(11, delta.Increments.Count);
    }

    [Fact]
    public void Delta_of_the_same_contributions_is_nothing_and_from_none_is_everything()
    {
        Assert.True(ScoreContributions.Delta(ScoreContributions.Of(Jan15, Returned, Returned), ScoreContributions.Of(Jan15, Returned, Returned)).IsEmpty);
        Assert.Equal(ScoreContributions.Of(Jan15, Returned, null).Increments,
            ScoreContributions.Delta(ScoreContributions.None, ScoreContributions.Of(Jan15, Returned, null)).Increments);
    }

    [Fact]
    public void By_month_keys_every_row_by_its_months_first_day_and_merges_rows_of_one_month()
    {
        var ended = ScoreContributions.Of(new DateOnly(2025, 1, 30), InProcessing with
        {
            ReceivedDay = new DateOnly(2025, 1, 30), OnTime = OnTimeJudgement.Ended(new DateOnly(2025, 2, 3), false),
        }, null);

        var months = ended.ByMonth().Rows;

        Assert.Equal([new ScoreRowKey(Received, Source, new DateOnly(2025, 1, 1)), new ScoreRowKey(Ended, Source, new DateOnly(2025, 2, 1))],
            months.Keys.OrderBy(k => k.Axis));
        Assert.Equal(1, months[new ScoreRowKey(Ended, Source, new DateOnly(2025, 2, 1))]["r:202501"]);
        Assert.Equal(0, months[new ScoreRowKey(Ended, Source, new DateOnly(2025, 2, 1))]["rok:202501"]);
    }

    [Fact]
    public void By_month_names_receptions_and_due_days_by_month_and_days_by_month_keeps_them_apart_with_their_days()
    {
        DossierFacts EndedOn(DateOnly received, DateOnly end, bool onTime) =>
            InProcessing with { ReceivedDay = received, OnTime = OnTimeJudgement.Ended(end, onTime) };
        var feb3 = new DateOnly(2025, 2, 3);
        var sum = ScoreContributions.Sum([
            // Two received on different January days and ended 3 Feb (one on time), one received 31 Dec (its month
            // stays apart from January's), one without NgayTiepNhan.
            ScoreContributions.Of(new DateOnly(2025, 1, 10), EndedOn(new DateOnly(2025, 1, 10), feb3, true), null),
            ScoreContributions.Of(new DateOnly(2025, 1, 30), EndedOn(new DateOnly(2025, 1, 30), feb3, false), null),
            ScoreContributions.Of(new DateOnly(2024, 12, 31), EndedOn(new DateOnly(2024, 12, 31), feb3, true), null),
            ScoreContributions.Of(null, EndedOn(new DateOnly(2025, 1, 5), feb3, true) with { ReceivedDay = null }, null),
            // Open ones due 20 and 27 Feb and one without a due day.
            ScoreContributions.Of(new DateOnly(2025, 1, 12), InProcessing with { ReceivedDay = new DateOnly(2025, 1, 12), OnTime = OnTimeJudgement.Open(new DateOnly(2025, 2, 20)) }, null),
            ScoreContributions.Of(new DateOnly(2025, 1, 13), InProcessing with { ReceivedDay = new DateOnly(2025, 1, 13), OnTime = OnTimeJudgement.Open(new DateOnly(2025, 2, 27)) }, null),
            ScoreContributions.Of(new DateOnly(2025, 1, 14), InProcessing with { ReceivedDay = new DateOnly(2025, 1, 14), OnTime = OnTimeJudgement.Open(null) }, null),
        ]);

        var february = sum.ByMonth().Rows[new ScoreRowKey(Ended, Source, new DateOnly(2025, 2, 1))];
        var january = sum.ByMonth().Rows[new ScoreRowKey(Received, Source, new DateOnly(2025, 1, 1))];

        Assert.Equal("r:202412=1, r:202501=2, r:none=1, rok:202412=1, rok:202501=1, rok:none=1", february.ToString());
        Assert.Equal("due:202502=2, due:none=1", new CounterSet(january.Where(c => c.Key.StartsWith("due:", StringComparison.Ordinal))).ToString());
        // Kept apart with their days: the Ended axis whole, and only the due days of the Received axis.
        var days = sum.DaysByMonth().Rows;
        Assert.Equal("r:20241231=1, r:20250110=1, r:20250130=1, r:none=1, rok:20241231=1, rok:20250110=1, rok:none=1",
            days[new ScoreRowKey(Ended, Source, new DateOnly(2025, 2, 1))].ToString());
        Assert.Equal("due:20250220=1, due:20250227=1", days[new ScoreRowKey(Received, Source, new DateOnly(2025, 1, 1))].ToString());
        // The day rows keep their days.
        Assert.Equal(1, sum.Rows[new ScoreRowKey(Ended, Source, feb3)]["r:20250110"]);
        Assert.Equal(1, sum.Rows[new ScoreRowKey(Ended, Source, feb3)]["r:20250130"]);
    }
}

public class CounterSetTests
{
    [Fact]
    public void Adds_subtracts_and_drops_what_comes_to_zero()
    {
        var set = new CounterSet().Add("n", 3).Add("ok", 1);
        set.Add(new CounterSet().Add("n", 2).Add("late", 1));
        set.Subtract(new CounterSet().Add("ok", 1).Add("n", 1));

        // n: 3 + 2 − 1 = 4; ok: 1 − 1 = 0, dropped; late: 1.
        Assert.Equal(new Dictionary<string, long> { ["n"] = 4, ["late"] = 1 }, set.ToDictionary());
        Assert.Equal(0, set["ok"]);
        Assert.False(set.ContainsKey("ok"));
    }

    [Fact]
    public void Sum_merges_every_set_and_copy_is_independent()
    {
        var a = new CounterSet().Add("n", 1);
        var sum = CounterSet.Sum([a, new CounterSet().Add("n", 2).Add("dig", 1), new CounterSet()]);
        var copy = sum.Copy().Add("n", 10);

        Assert.Equal(new Dictionary<string, long> { ["n"] = 3, ["dig"] = 1 }, sum.ToDictionary());
        Assert.Equal(13, copy["n"]);
        Assert.Equal(1, a["n"]);
    }
}

public class ScoreRowsTests
{
    private static ScorePeriod Finished(DateOnly from, DateOnly to) => ScorePeriod.Of(from, to, new DateOnly(2026, 6, 1));

    private static ScoreRow Day(int month, int day, long population) =>
        new(ScoreAxis.Received, ScoreSide.Source, new DateOnly(2025, month, day), new CounterSet().Add("n", population));

    [Fact]
    public void A_period_of_whole_months_is_read_from_its_roll_ups_and_a_period_that_cuts_a_month_from_its_days_only()
    {
        ScoreRow[] days = [Day(1, 31, 1), Day(2, 1, 10), Day(2, 28, 20), Day(3, 1, 100), Day(3, 2, 200)];
        // The roll-ups as storage would keep them (February's says 31 to show when it is the one read, not its days).
        var months = ScoreRows.RollUp(days).Select(m => m.Day.Month == 2 ? m with { Counters = new CounterSet().Add("n", 31) } : m).ToList();

        var cut = ScoreRows.SumPeriod(days, months, Finished(new DateOnly(2025, 1, 31), new DateOnly(2025, 3, 1)));
        var whole = ScoreRows.SumPeriod(days, months, Finished(new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 28)));

        // Cut: 31 Jan 1 + 1 Feb 10 + 28 Feb 20 + 1 Mar 100 = 131, every one a day row; 2 Mar is outside.
        Assert.Equal(131, cut[ScoreAxis.Received, ScoreSide.Source]["n"]);
        Assert.Equal(0, cut[ScoreAxis.Received, ScoreSide.Portal]["n"]);
        // January and February whole: their roll-ups, 1 + 31.
        Assert.Equal(32, whole[ScoreAxis.Received, ScoreSide.Source]["n"]);
    }

    [Fact]
    public void A_period_of_whole_months_judged_inside_a_month_takes_its_due_days_from_the_day_rows_and_the_rest_from_the_roll_ups()
    {
        ScoreRow Open(int day, string due, long count) =>
            new(ScoreAxis.Received, ScoreSide.Source, new DateOnly(2025, 3, day), new CounterSet().Add("n", count).Add(due, count));
        ScoreRow[] days = [Open(3, "due:20250310", 1), Open(4, "due:20250402", 2), Open(5, ScoreCounterNames.OpenWithoutDueDay, 4)];
        // March's roll-up as storage keeps it, with one more dossier counted, to show which one is read.
        var months = ScoreRows.RollUp(days).Select(m => m with { Counters = m.Counters.Copy().Add("n", 1) }).ToList();

        var finished = ScoreRows.SumPeriod(days, months, ScorePeriod.Of(new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), new DateOnly(2025, 6, 1)));
        var running = ScoreRows.SumPeriod(days, months, ScorePeriod.Of(new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), new DateOnly(2025, 3, 20)));

        Assert.Equal("due:202503=1, due:202504=2, due:none=4, n=8", finished[ScoreAxis.Received, ScoreSide.Source].ToString());
        Assert.Equal("due:20250310=1, due:20250402=2, due:none=4, n=8", running[ScoreAxis.Received, ScoreSide.Source].ToString());
    }

    [Fact]
    public void Roll_up_names_ended_receptions_by_month()
    {
        ScoreRow[] days =
        [
            new(ScoreAxis.Ended, ScoreSide.Source, new DateOnly(2025, 2, 3), new CounterSet().Add("r:20250110", 1).Add("rok:20250110", 1).Add("r:20241231", 1)),
            new(ScoreAxis.Ended, ScoreSide.Source, new DateOnly(2025, 2, 9), new CounterSet().Add("r:20250130", 2)),
        ];

        var month = ScoreRows.RollUp(days).Single();

        Assert.Equal(new DateOnly(2025, 2, 1), month.Day);
        Assert.Equal("r:202412=1, r:202501=3, rok:202501=1", month.Counters.ToString());
    }

    [Fact]
    public void Roll_up_sums_the_days_of_each_month_per_axis_and_side()
    {
        ScoreRow[] days = [Day(1, 2, 1), Day(1, 30, 2), Day(2, 1, 4), Day(1, 5, 8) with { Side = ScoreSide.Portal }];

        var months = ScoreRows.RollUp(days).ToDictionary(m => (m.Side, m.Day), m => m.Counters["n"]);

        // January source 1 + 2; February source 4; January portal 8.
        Assert.Equal(3, months[(ScoreSide.Source, new DateOnly(2025, 1, 1))]);
        Assert.Equal(4, months[(ScoreSide.Source, new DateOnly(2025, 2, 1))]);
        Assert.Equal(8, months[(ScoreSide.Portal, new DateOnly(2025, 1, 1))]);
        Assert.Equal(3, months.Count);
    }
}
