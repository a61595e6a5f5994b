using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>
/// The scorecard counters every store keeps beside the ledger's entries, in the same transaction: by day, and by month
/// for whole months of a period — equal to a recount of the entries' contributions whatever the saves did.
/// </summary>
public abstract class ScoreCounterContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static readonly DateTimeOffset Jan15 = new(2025, 1, 15, 9, 30, 0, TimeSpan.FromHours(7));

    private static ScorePeriod OneDay(DateOnly day) => ScorePeriod.Of(day, day, day.AddDays(1));

    private static DossierFacts Facts(DateOnly received, int n) => new(
        received,
        n % 3 == 0 ? TrangThaiHoSo.DangXuLy : TrangThaiHoSo.DaTraKetQua,
        n % 2 == 0 ? 2 : 1,
        FeeBearing: n % 4 == 0,
        PaidOnline: n % 8 == 0,
        HasResultLink: n % 5 != 0,
        Digitised: n % 6 == 0,
        VneidVerified: n % 7 == 0,
        n % 3 == 0 ? OnTimeJudgement.Open(received.AddDays(n % 20)) : OnTimeJudgement.Ended(received.AddDays(n % 11), n % 9 != 0));

    internal static LedgerEntry Entry(string agency, int n)
    {
        var received = Jan15.AddDays(n * 3 % 200);
        return new LedgerEntry
        {
            MaHoSo = $"{agency}-{n:00000}",
            MaDonVi = agency,
            NgayTiepNhan = received,
            TrangThaiHoSo = 10,
            PhienBan = 1,
            State = SyncState.Pending,
            SourceFacts = Facts(VnTime.Day(received), n),
            UpdatedAt = Jan15,
        };
    }

    [Fact]
    public async Task Counters_follow_every_save_and_equal_a_recount_by_day_and_by_whole_month()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var created = await ledger.SaveManyAsync(
            Enumerable.Range(1, 90).Select(n => new LedgerChange(null, Entry(n % 2 == 0 ? "A" : "B", n))).ToList(), CancellationToken.None);
        Assert.All(created, r => Assert.False(r.Conflicted));

        // Confirmed with the source's facts, held with a different copy, moved to a later version, and one by one.
        var changes = created.Take(60).Select((r, i) => new LedgerChange(r.Saved, (i % 4) switch
        {
            0 => r.Saved!.Confirmed(Jan15),
            1 => r.Saved! with { PortalHolds = true, PortalFacts = r.Saved.SourceFacts! with { HasResultLink = false, Status = TrangThaiHoSo.DangXuLy, OnTime = OnTimeJudgement.Open(null) } },
            2 => r.Saved! with { PhienBan = 2, NgayTiepNhan = Jan15.AddDays(40), SourceFacts = Facts(VnTime.Day(Jan15.AddDays(40)), i) },
            _ => r.Saved! with { PortalHolds = true, PortalFacts = r.Saved.SourceFacts! with { ReceivedDay = null } },
        })).ToList();
        Assert.All(await ledger.SaveManyAsync(changes, CancellationToken.None), r => Assert.False(r.Conflicted));
        var single = (await ledger.GetAsync("B", "B-00071", CancellationToken.None))!;
        await ledger.SaveAsync(single, single.Confirmed(Jan15), CancellationToken.None);

        var entries = await storage.AllEntriesAsync();
        Assert.Equal(90, entries.Count);
        Assert.All(entries, e => Assert.NotNull(e.SourceFacts));
        await LedgerAudit.AssertScoreCountersEqualRecountAsync(entries, ledger);

        // A finished year is answered from the month roll-ups (receptions and due days by month); the running year
        // (judged today, inside a month) from them with open dossiers' due days kept apart; a period that cuts a month
        // (a custom range, a week) with its receptions by day. Each equals the recount summed the same way.
        var year = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 12, 31));
        ScorePeriod[] periods =
        [
            ScorePeriod.Of(year.From, year.To, new DateOnly(2026, 6, 1)), ScorePeriod.Of(year.From, year.To, new DateOnly(2025, 6, 18)),
            ScorePeriod.Of(new(2025, 1, 20), year.To, new DateOnly(2026, 6, 1)), ScorePeriod.Of(new(2025, 3, 15), year.To, new DateOnly(2025, 7, 9)),
            ScorePeriod.Of(new(2025, 3, 10), new(2025, 3, 16), new DateOnly(2026, 6, 1)), ScorePeriod.Of(new(2025, 3, 10), new(2025, 3, 16), new DateOnly(2025, 3, 13)),
        ];
        foreach (var period in periods)
        {
            var totals = await ledger.GetScoreTotalsAsync(["A", "B"], period, CancellationToken.None);
            foreach (var agency in (string[])["A", "B"])
            {
                var recount = ScoreContributions.Sum(entries.Where(e => e.MaDonVi == agency).Select(e => e.Contributions()));
                var days = recount.Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)).ToList();
                var expected = ScoreRows.SumPeriod(days, ScoreRows.RollUp(days), period);
                foreach (var axis in Enum.GetValues<ScoreAxis>())
                    foreach (var side in Enum.GetValues<ScoreSide>())
                        Assert.Equal(expected[axis, side].ToString(), totals[agency][axis, side].ToString());
                if ((period.From, period.To) == year)
                {
                    Assert.True(expected[ScoreAxis.Received, ScoreSide.Portal][ScoreCounterNames.Population] > 0);
                    // The year came from the roll-ups: receptions by month, none by day; due days by month only when
                    // the year is judged on the first of a month.
                    Assert.Contains(totals[agency][ScoreAxis.Ended, ScoreSide.Source].Keys, k => k.StartsWith("r:2025", StringComparison.Ordinal));
                    Assert.DoesNotContain(totals[agency][ScoreAxis.Ended, ScoreSide.Source].Keys, k => k.StartsWith("r:", StringComparison.Ordinal) && k.Length == "r:yyyyMMdd".Length);
                    var dueLength = period.JudgesDueByMonth ? "due:yyyyMM".Length : "due:yyyyMMdd".Length;
                    Assert.Contains(totals[agency][ScoreAxis.Received, ScoreSide.Source].Keys, k => k.StartsWith("due:2025", StringComparison.Ordinal));
                    Assert.All(totals[agency][ScoreAxis.Received, ScoreSide.Source].Keys.Where(k => k.StartsWith("due:2", StringComparison.Ordinal)),
                        k => Assert.Equal(dueLength, k.Length));
                }
                LedgerAudit.AssertSameScorecard(period, agency, days, totals[agency]);
            }
        }
    }

    [Fact]
    public async Task A_portal_copy_without_its_reception_date_counts_on_the_source_side_only()
    {
        await using var storage = await OpenAsync();
        var entry = await storage.Ledger.SaveAsync(null, Entry("A", 1), CancellationToken.None);
        var day = entry.ReceivedDay!.Value;
        await storage.Ledger.SaveAsync(entry, entry with { PortalHolds = true, PortalFacts = entry.SourceFacts! with { ReceivedDay = null } }, CancellationToken.None);

        var totals = (await storage.Ledger.GetScoreTotalsAsync(["A"], OneDay(day), CancellationToken.None))["A"];
        Assert.Equal(1, totals[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population]);
        Assert.Equal(0, totals[ScoreAxis.Received, ScoreSide.Portal][ScoreCounterNames.Population]);
    }

    [Fact]
    public async Task An_entry_saved_without_facts_counts_as_without_facts_on_both_sides_until_its_facts_are_collected()
    {
        await using var storage = await OpenAsync();
        var entry = await storage.Ledger.SaveAsync(null, Entry("A", 1) with { SourceFacts = null }, CancellationToken.None);
        var day = entry.ReceivedDay!.Value;
        var totals = (await storage.Ledger.GetScoreTotalsAsync(["A", "B"], OneDay(day), CancellationToken.None));
        Assert.Equal(1, totals["A"][ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.WithoutFacts]);
        Assert.Equal(1, totals["A"][ScoreAxis.Received, ScoreSide.Portal][ScoreCounterNames.WithoutFacts]);
        Assert.Empty(totals["B"][ScoreAxis.Received, ScoreSide.Source]);

        await storage.Ledger.SaveAsync(entry, Entry("A", 1), CancellationToken.None);
        var after = (await storage.Ledger.GetScoreTotalsAsync(["A"], OneDay(day), CancellationToken.None))["A"];
        Assert.Equal(0, after[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.WithoutFacts]);
        Assert.Equal(1, after[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population]);
        await storage.AssertCountsEqualRecountAsync();
    }
}
