using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>
/// A dossier transferred to another unit keeps its MaHoSo and counts once, for the agency of its latest copy
/// (provincial-system.md, Agencies): every store retires the old agency's entry when the new agency's arrives, so the
/// day counts, month roll-ups, scorecard counters, unsynced list and in-repair list count it once.
/// </summary>
public abstract class LedgerMoveContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static readonly DateTimeOffset Jan15 = new(2025, 1, 15, 9, 30, 0, TimeSpan.FromHours(7));

    /// <summary>Dossier n as agency <paramref name="agency"/> has it at <paramref name="version"/>: same MaHoSo whatever the agency.</summary>
    private static LedgerEntry Dossier(string agency, int n, long version) =>
        ScoreCounterContract.Entry("X", n) with { MaDonVi = agency, PhienBan = version };

    private static async Task<(long Seen, long Synced)> CountsAsync(ISyncLedger ledger, string agency, DateOnly from, DateOnly to)
    {
        var days = await ledger.GetDayCountsAsync([agency], from, to, CancellationToken.None);
        return (days.Sum(d => d.Seen), days.Sum(d => d.Synced));
    }

    private static async Task<List<LedgerEntry>> InRepairAsync(ISyncLedger ledger)
    {
        var entries = new List<LedgerEntry>();
        await foreach (var e in ledger.GetInRepairAsync(CancellationToken.None)) entries.Add(e);
        return entries;
    }

    [Fact]
    public async Task A_dossier_moved_to_another_agency_counts_once_for_the_new_one()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var atB = await ledger.SaveAsync(null, Dossier("B", 1, 1), CancellationToken.None);
        var synced = await ledger.SaveAsync(null, Dossier("B", 2, 1), CancellationToken.None);
        synced = await ledger.SaveAsync(synced, synced.Confirmed(Jan15), CancellationToken.None);
        var received = VnTime.Day(atB.NgayTiepNhan!.Value);

        // The provincial system moves both to A (a newer version, same MaHoSo).
        var movedPending = await ledger.SaveAsync(null, Dossier("A", 1, 2), CancellationToken.None);
        var movedSynced = await ledger.SaveAsync(null, Dossier("A", 2, 2).Confirmed(Jan15), CancellationToken.None);
        Assert.False(movedPending.HasMoved);
        Assert.False(movedSynced.HasMoved);

        var oldPending = (await ledger.GetAsync("B", atB.MaHoSo, CancellationToken.None))!;
        Assert.Equal("A", oldPending.MovedTo);
        Assert.Equal(2, oldPending.PhienBan);
        Assert.Equal("A", (await ledger.GetAsync("B", synced.MaHoSo, CancellationToken.None))!.MovedTo);

        var year = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 12, 31));
        Assert.Equal((0, 0), await CountsAsync(ledger, "B", year.From, year.To));
        var (months, _) = await ledger.GetPeriodCountsAsync(["A", "B"], year.From, year.To, CancellationToken.None);
        Assert.Equal(0, months.Where(m => m.MaDonVi == "B").Sum(m => m.Received));
        Assert.Equal(2, months.Where(m => m.MaDonVi == "A").Sum(m => m.Received));
        Assert.Equal(1, months.Where(m => m.MaDonVi == "A").Sum(m => m.Synced));

        var unsynced = await ledger.GetUnsyncedAsync(["A", "B"], received.AddDays(-400), received.AddDays(400), null, 100, CancellationToken.None);
        Assert.Equal(("A", atB.MaHoSo), (Assert.Single(unsynced).MaDonVi, unsynced[0].MaHoSo));
        Assert.Equal(("A", atB.MaHoSo), (Assert.Single(await InRepairAsync(ledger)).MaDonVi, atB.MaHoSo));

        var totals = await ledger.GetScoreTotalsAsync(["B"], ScorePeriod.Of(year.From, year.To, year.To.AddDays(1)), CancellationToken.None);
        foreach (var axis in Enum.GetValues<ScoreAxis>())
            foreach (var side in Enum.GetValues<ScoreSide>())
                Assert.All(totals["B"][axis, side], counter => Assert.Equal(0, counter.Value));
        Assert.DoesNotContain(await ledger.GetScoreDayRowsAsync("B", year.From, year.To, CancellationToken.None), r => r.Counters.Count > 0);
        await storage.AssertCountsEqualRecountAsync();
    }

    [Fact]
    public async Task A_dossier_moved_back_counts_once_for_its_first_agency_again()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        await ledger.SaveAsync(null, Dossier("B", 1, 1).Confirmed(Jan15), CancellationToken.None);
        await ledger.SaveAsync(null, Dossier("A", 1, 2), CancellationToken.None);

        // Back to B at version 3: the moved entry under B is the one that comes back, and A's stops counting.
        var atB = (await ledger.GetAsync("B", Dossier("B", 1, 1).MaHoSo, CancellationToken.None))!;
        var back = await ledger.SaveAsync(atB, atB with { MovedTo = null, PhienBan = 3, State = SyncState.Pending }, CancellationToken.None);
        Assert.False(back.HasMoved);
        Assert.Equal("B", (await ledger.GetAsync("A", back.MaHoSo, CancellationToken.None))!.MovedTo);

        var year = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 12, 31));
        Assert.Equal((1, 1), await CountsAsync(ledger, "B", year.From, year.To)); // the portal was confirmed to hold it
        Assert.Equal((0, 0), await CountsAsync(ledger, "A", year.From, year.To));
        Assert.Equal("B", Assert.Single(await InRepairAsync(ledger)).MaDonVi);

        // And to A once more, through A's moved entry.
        var atA = (await ledger.GetAsync("A", back.MaHoSo, CancellationToken.None))!;
        await ledger.SaveAsync(atA, (atA with { MovedTo = null, PhienBan = 4 }).Confirmed(Jan15), CancellationToken.None);
        Assert.Equal((0, 0), await CountsAsync(ledger, "B", year.From, year.To));
        Assert.Equal((1, 1), await CountsAsync(ledger, "A", year.From, year.To));
        Assert.Empty(await InRepairAsync(ledger));
        await storage.AssertCountsEqualRecountAsync();
    }

    [Fact]
    public async Task An_older_copy_under_the_old_agency_is_saved_as_moved_and_a_moved_entry_is_not_brought_back_by_a_late_save()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        await ledger.SaveAsync(null, Dossier("A", 1, 5), CancellationToken.None);

        // A page read before the move still names B, at version 4: the dossier is at A.
        var stale = await ledger.SaveAsync(null, Dossier("B", 1, 4), CancellationToken.None);
        Assert.Equal("A", stale.MovedTo);
        Assert.Equal(5, stale.PhienBan); // so the old page's version is covered, and skipped, next time

        // A repair still addressed to B concludes on the moved entry: it stays moved and counts nothing.
        var late = await ledger.SaveAsync(stale, stale.Confirmed(Jan15), CancellationToken.None);
        Assert.Equal("A", late.MovedTo);

        var year = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 12, 31));
        Assert.Equal((0, 0), await CountsAsync(ledger, "B", year.From, year.To));
        Assert.Equal((1, 0), await CountsAsync(ledger, "A", year.From, year.To));
        Assert.Equal("A", Assert.Single(await InRepairAsync(ledger)).MaDonVi);
        await storage.AssertCountsEqualRecountAsync();
    }

    [Fact]
    public async Task Moves_saved_in_a_batch_count_once_and_equal_a_recount()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var first = await ledger.SaveManyAsync(Enumerable.Range(1, 30).Select(n => new LedgerChange(null, Dossier(n % 2 == 0 ? "A" : "B", n, 1))).ToList(),
            CancellationToken.None);
        Assert.All(first, r => Assert.False(r.Conflicted));

        // Every third dossier moves to C, half of them confirmed there; the others change where they are.
        var second = first.Select((r, i) => i % 3 == 0
            ? new LedgerChange(null, (i % 2 == 0 ? Dossier("C", i + 1, 2).Confirmed(Jan15) : Dossier("C", i + 1, 2)))
            : new LedgerChange(r.Saved, r.Saved!.Confirmed(Jan15))).ToList();
        Assert.All(await ledger.SaveManyAsync(second, CancellationToken.None), r => Assert.False(r.Conflicted));

        var entries = await storage.AllEntriesAsync();
        Assert.Equal(40, entries.Count);
        Assert.Equal(30, entries.Count(e => !e.HasMoved));
        Assert.Equal(30, entries.Where(e => !e.HasMoved).Select(e => e.MaHoSo).Distinct().Count());
        var year = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 12, 31));
        var counted = await ledger.GetDayCountsAsync(["A", "B", "C"], year.From, year.To, CancellationToken.None);
        Assert.Equal(30, counted.Sum(c => c.Seen));
        Assert.Equal(10, counted.Where(c => c.MaDonVi == "C").Sum(c => c.Seen));
        await storage.AssertCountsEqualRecountAsync();
    }
}
