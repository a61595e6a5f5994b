using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>The ledger port's semantics, which every store must keep: conditional saves, counts equal to a recount, the indexes.</summary>
public abstract class LedgerContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static readonly DateTimeOffset Jan15 = new(2025, 1, 15, 9, 30, 0, TimeSpan.FromHours(7));

    private static LedgerEntry Entry(string agency, int n, DateTimeOffset? received) => new()
    {
        MaHoSo = $"{agency}-250115-{n:00000}",
        MaDonVi = agency,
        NgayTiepNhan = received,
        TrangThaiHoSo = 4,
        PhienBan = 1,
        State = SyncState.Pending,
        UpdatedAt = Jan15,
    };

    [Fact]
    public async Task An_entry_round_trips_and_its_day_count_and_unsynced_index_follow_it()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var day = VnTime.Day(Jan15);

        var saved = await ledger.SaveAsync(null, Entry("000.00.19.H19", 1, Jan15) with { LastError = "not on the portal" }, CancellationToken.None);
        var read = await ledger.GetAsync("000.00.19.H19", saved.MaHoSo, CancellationToken.None);
        Assert.Equal(saved.ETag, read!.ETag);
        Assert.Equal(Jan15, read.NgayTiepNhan);
        Assert.Equal("not on the portal", read.LastError);
        Assert.Equal([new LedgerDayCount("000.00.19.H19", day, 1, 0)], await ledger.GetDayCountsAsync(["000.00.19.H19"], day, day, CancellationToken.None));
        Assert.Equal(saved.MaHoSo, Assert.Single(await ledger.GetUnsyncedAsync(["000.00.19.H19"], day, day, null, 10, CancellationToken.None)).MaHoSo);

        await ledger.SaveAsync(read, read.Confirmed(Jan15.AddHours(1)), CancellationToken.None);
        Assert.Equal([new LedgerDayCount("000.00.19.H19", day, 1, 1)], await ledger.GetDayCountsAsync(["000.00.19.H19"], day, day, CancellationToken.None));
        Assert.Empty(await ledger.GetUnsyncedAsync(["000.00.19.H19"], day, day, null, 10, CancellationToken.None));
    }

    [Fact]
    public async Task Every_field_of_an_entry_round_trips_the_facts_of_both_copies_included()
    {
        await using var storage = await OpenAsync();
        var day = VnTime.Day(Jan15);
        var entry = Entry("000.00.19.H19", 2, Jan15) with
        {
            TrangThaiHoSo = 10,
            PhienBan = 3,
            State = SyncState.Retrying,
            PortalHolds = true,
            PortalCopyLacksReceptionDate = true,
            SourceFacts = new DossierFacts(day, TrangThaiHoSo.DaTraKetQua, 2, FeeBearing: true, PaidOnline: true, HasResultLink: true,
                Digitised: true, VneidVerified: false, OnTimeJudgement.Ended(day.AddDays(3), true)),
            PortalFacts = new DossierFacts(null, TrangThaiHoSo.DangXuLy, 1, FeeBearing: false, PaidOnline: false, HasResultLink: false,
                Digitised: false, VneidVerified: true, OnTimeJudgement.Open(day.AddDays(9))),
            Attempts = 2,
            LastError = "portal busy",
            NextAttemptAt = Jan15.AddMinutes(5),
            FailingSince = Jan15.AddMinutes(-5),
            ConfirmedAt = Jan15.AddMinutes(-1),
            ChangedAt = Jan15.AddMinutes(-7),
            StepsSentUpTo = Jan15.AddMinutes(-20),
            UpdatedAt = Jan15.AddSeconds(7),
        };

        var saved = await storage.Ledger.SaveAsync(null, entry, CancellationToken.None);
        Assert.Equal(saved, await storage.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
        // /api/health reads the oldest change waiting from the in-repair index: the change time is there too.
        var inRepair = new List<LedgerEntry>();
        await foreach (var e in storage.Ledger.GetInRepairAsync(CancellationToken.None)) inRepair.Add(e);
        Assert.Equal(entry.ChangedAt, Assert.Single(inRepair).ChangedAt);

        var withoutFacts = saved with { PortalCopyLacksReceptionDate = false, SourceFacts = null, PortalFacts = null };
        var resaved = await storage.Ledger.SaveAsync(saved, withoutFacts, CancellationToken.None);
        Assert.Equal(resaved, await storage.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
        await storage.AssertCountsEqualRecountAsync();
    }

    [Fact]
    public async Task A_copy_held_without_its_reception_date_is_unsynced_until_the_update_lands()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var day = VnTime.Day(Jan15);
        var statusOne = Entry("000.00.19.H19", 1, Jan15) with { PortalHolds = true, PortalCopyLacksReceptionDate = true, ConfirmedAt = Jan15 };

        var saved = await ledger.SaveAsync(null, statusOne, CancellationToken.None);
        var read = await ledger.GetAsync("000.00.19.H19", saved.MaHoSo, CancellationToken.None);
        Assert.True(read!.PortalHolds);
        Assert.True(read.PortalCopyLacksReceptionDate);
        Assert.Equal([new LedgerDayCount("000.00.19.H19", day, 1, 0)], await ledger.GetDayCountsAsync(["000.00.19.H19"], day, day, CancellationToken.None));
        Assert.Equal(saved.MaHoSo, Assert.Single(await ledger.GetUnsyncedAsync(["000.00.19.H19"], day, day, null, 10, CancellationToken.None)).MaHoSo);

        await ledger.SaveAsync(read, read.Confirmed(Jan15.AddHours(1)), CancellationToken.None);
        Assert.Equal([new LedgerDayCount("000.00.19.H19", day, 1, 1)], await ledger.GetDayCountsAsync(["000.00.19.H19"], day, day, CancellationToken.None));
        Assert.Empty(await ledger.GetUnsyncedAsync(["000.00.19.H19"], day, day, null, 10, CancellationToken.None));
        await storage.AssertCountsEqualRecountAsync();
    }

    [Fact]
    public async Task A_stale_writer_loses_with_a_conflict_and_changes_nothing()
    {
        await using var storage = await OpenAsync();
        var first = await storage.Ledger.SaveAsync(null, Entry("A", 1, Jan15), CancellationToken.None);
        await storage.Ledger.SaveAsync(first, first.Confirmed(Jan15), CancellationToken.None);

        await Assert.ThrowsAsync<LedgerConflictException>(() => storage.Ledger.SaveAsync(first, first.Rejected("late", false, Jan15), CancellationToken.None));
        await Assert.ThrowsAsync<LedgerConflictException>(() => storage.Ledger.SaveAsync(null, Entry("A", 1, Jan15), CancellationToken.None));

        var day = VnTime.Day(Jan15);
        Assert.Equal(SyncState.Synced, (await storage.Ledger.GetAsync("A", first.MaHoSo, CancellationToken.None))!.State);
        Assert.Equal([new LedgerDayCount("A", day, 1, 1)], await storage.Ledger.GetDayCountsAsync(["A"], day, day, CancellationToken.None));
    }

    [Fact]
    public async Task A_changed_reception_day_moves_the_count()
    {
        await using var storage = await OpenAsync();
        var saved = await storage.Ledger.SaveAsync(null, Entry("A", 1, Jan15).Confirmed(Jan15), CancellationToken.None);
        await storage.Ledger.SaveAsync(saved, saved with { NgayTiepNhan = Jan15.AddDays(2) }, CancellationToken.None);

        var counts = await storage.Ledger.GetDayCountsAsync(["A"], VnTime.Day(Jan15), VnTime.Day(Jan15).AddDays(2), CancellationToken.None);
        Assert.Equal(0, counts.Where(c => c.Day == VnTime.Day(Jan15)).Sum(c => c.Seen));
        Assert.Equal(1, counts.Single(c => c.Day == VnTime.Day(Jan15).AddDays(2)).Synced);
    }

    [Fact]
    public async Task Dossiers_without_a_reception_date_are_kept_but_never_counted()
    {
        await using var storage = await OpenAsync();
        await storage.Ledger.SaveAsync(null, Entry("A", 1, null), CancellationToken.None);
        Assert.NotNull(await storage.Ledger.GetAsync("A", Entry("A", 1, null).MaHoSo, CancellationToken.None));
        Assert.Empty(await storage.Ledger.GetDayCountsAsync(["A"], new DateOnly(2000, 1, 1), new DateOnly(2100, 1, 1), CancellationToken.None));
    }

    [Fact]
    public async Task Counts_equal_a_recount_after_many_concurrent_writers_on_the_same_days()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var random = new Random(7);
        var plans = Enumerable.Range(1, 60).Select(n => (Entry: Entry(n % 2 == 0 ? "A" : "B", n, Jan15.AddDays(n % 3)), Steps: random.Next(1, 5))).ToList();

        // Each dossier goes through its own sequence of transitions while the others hammer the same day rows.
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (plan, ct) =>
        {
            var current = await ledger.SaveAsync(null, plan.Entry, ct);
            for (var step = 0; step < plan.Steps; step++)
            {
                var next = (step % 3) switch
                {
                    0 => current.Confirmed(Jan15),
                    1 => current.Rejected("refused", portalHolds: false, Jan15),
                    _ => current.RetryScheduled("503", Jan15.AddMinutes(1), Jan15),
                };
                current = await ledger.SaveAsync(current, next, ct);
            }
        });

        var entries = await storage.AllEntriesAsync();

        var counted = await ledger.GetDayCountsAsync(["A", "B"], VnTime.Day(Jan15), VnTime.Day(Jan15).AddDays(3), CancellationToken.None);
        var recount = entries.GroupBy(e => (e.MaDonVi, Day: e.ReceivedDay!.Value))
            .Select(g => new LedgerDayCount(g.Key.MaDonVi, g.Key.Day, g.Count(), g.Count(e => e.CountsAsSynced)))
            .OrderBy(c => c.MaDonVi).ThenBy(c => c.Day).ToList();
        Assert.Equal(60, entries.Count);
        Assert.Equal(recount, counted.Where(c => c.Seen > 0).OrderBy(c => c.MaDonVi).ThenBy(c => c.Day).ToList());
        Assert.Equal(entries.Count(e => e.IsUnsynced),
            (await ledger.GetUnsyncedAsync(["A", "B"], VnTime.Day(Jan15), VnTime.Day(Jan15).AddDays(3), null, 500, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_batch_saves_many_agencies_and_days_at_once_and_its_counts_equal_a_recount()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        // More than one transaction's worth per agency, over several days, and a dossier without a reception date.
        var first = Enumerable.Range(1, 70).Select(n => new LedgerChange(null, Entry(n % 3 == 0 ? "B" : "A", n, n == 5 ? null : Jan15.AddDays(n % 4)))).ToList();
        var saved = await ledger.SaveManyAsync(first, CancellationToken.None);
        Assert.Equal(70, saved.Count);
        Assert.All(saved, r => Assert.False(r.Conflicted));
        Assert.Equal(first.Select(c => c.Next.MaHoSo), saved.Select(r => r.Saved!.MaHoSo));

        // A second batch moves some of them on: confirmed, rejected, one moved to another reception day.
        var second = saved.Take(40).Select((r, i) => new LedgerChange(r.Saved, (i % 4) switch
        {
            0 => r.Saved!.Confirmed(Jan15),
            1 => r.Saved!.Rejected("refused", portalHolds: false, Jan15),
            2 => r.Saved! with { NgayTiepNhan = Jan15.AddDays(9) },
            _ => r.Saved!.Confirmed(Jan15),
        })).ToList();
        var moved = await ledger.SaveManyAsync(second, CancellationToken.None);
        Assert.All(moved, r => Assert.False(r.Conflicted));

        await storage.AssertCountsEqualRecountAsync();
        var day = VnTime.Day(Jan15);
        var counted = await ledger.GetDayCountsAsync(["A", "B"], day, day.AddDays(9), CancellationToken.None);
        Assert.Equal(69, counted.Sum(c => c.Seen));
        Assert.Equal(19, counted.Sum(c => c.Synced)); // 20 confirmed, one of them (n = 5) without a reception date
    }

    [Fact]
    public async Task In_a_batch_a_stale_change_is_reported_as_a_conflict_and_the_others_are_saved()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var entries = new List<LedgerEntry>();
        for (var n = 1; n <= 6; n++) entries.Add(await ledger.SaveAsync(null, Entry("A", n, Jan15), CancellationToken.None));
        // Another writer moves the third on first; the batch still holds its old version, and a new dossier that already exists.
        await ledger.SaveAsync(entries[2], entries[2].Confirmed(Jan15), CancellationToken.None);

        var changes = entries.Select(e => new LedgerChange(e, e.Confirmed(Jan15))).Append(new LedgerChange(null, Entry("A", 4, Jan15))).ToList();
        var results = await ledger.SaveManyAsync(changes, CancellationToken.None);

        Assert.Equal([false, false, true, false, false, false, true], results.Select(r => r.Conflicted));
        foreach (var entry in entries)
            Assert.Equal(SyncState.Synced, (await ledger.GetAsync("A", entry.MaHoSo, CancellationToken.None))!.State);
        var day = VnTime.Day(Jan15);
        Assert.Equal([new LedgerDayCount("A", day, 6, 6)], await ledger.GetDayCountsAsync(["A"], day, day, CancellationToken.None));
        await storage.AssertCountsEqualRecountAsync();
    }

    [Fact]
    public async Task Unsynced_entries_page_in_reception_order_across_agencies()
    {
        await using var storage = await OpenAsync();
        for (var n = 0; n < 7; n++)
            await storage.Ledger.SaveAsync(null, Entry(n % 2 == 0 ? "A" : "B", n, Jan15.AddHours(7 - n)), CancellationToken.None);
        var day = VnTime.Day(Jan15);

        var seen = new List<LedgerEntry>();
        UnsyncedPosition? after = null;
        while (true)
        {
            var page = await storage.Ledger.GetUnsyncedAsync(["A", "B"], day, day.AddDays(1), after, 3, CancellationToken.None);
            seen.AddRange(page);
            if (page.Count < 3) break;
            after = new UnsyncedPosition(page[^1].NgayTiepNhan!.Value, page[^1].MaHoSo);
        }

        Assert.Equal(7, seen.Count);
        Assert.Equal(seen.OrderBy(e => e.NgayTiepNhan).Select(e => e.MaHoSo), seen.Select(e => e.MaHoSo));
    }

    [Fact]
    public async Task Entries_in_the_repairs_hands_are_listed_for_the_sweep()
    {
        await using var storage = await OpenAsync();
        var pending = await storage.Ledger.SaveAsync(null, Entry("A", 1, Jan15), CancellationToken.None);
        var synced = await storage.Ledger.SaveAsync(null, Entry("B", 2, null), CancellationToken.None);
        await storage.Ledger.SaveAsync(synced, synced.Confirmed(Jan15), CancellationToken.None);

        var inRepair = new List<LedgerEntry>();
        await foreach (var e in storage.Ledger.GetInRepairAsync(CancellationToken.None)) inRepair.Add(e);
        Assert.Equal(pending.MaHoSo, Assert.Single(inRepair).MaHoSo);
    }

    [Fact]
    public async Task The_oldest_confirmation_behind_the_synced_counts_is_kept_by_day_and_month_and_never_raised()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var (t1, t2) = (Jan15.AddDays(5), Jan15.AddDays(3));
        var first = await ledger.SaveAsync(null, Entry("A", 1, Jan15).Confirmed(t1), CancellationToken.None);
        var second = await ledger.SaveAsync(null, Entry("A", 2, Jan15.AddDays(1)).Confirmed(t2), CancellationToken.None);
        // Held without its reception date: confirmed earliest of all, but not synced, so not behind any synced figure.
        await ledger.SaveAsync(null, Entry("A", 3, Jan15.AddDays(2)) with { PortalHolds = true, PortalCopyLacksReceptionDate = true, ConfirmedAt = Jan15.AddDays(-5) },
            CancellationToken.None);
        var march = new DateTimeOffset(2025, 3, 5, 8, 0, 0, TimeSpan.FromHours(7));
        await ledger.SaveAsync(null, Entry("B", 4, march).Confirmed(march.AddDays(5)), CancellationToken.None);
        var jan = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 1, 31));
        var year = (From: new DateOnly(2025, 1, 1), To: new DateOnly(2025, 12, 31));

        Assert.Equal(t2, await ledger.GetOldestConfirmationAsync(["A"], jan.From, jan.To, CancellationToken.None));
        Assert.Equal(t1, await ledger.GetOldestConfirmationAsync(["A"], VnTime.Day(Jan15), VnTime.Day(Jan15), CancellationToken.None));
        Assert.Null(await ledger.GetOldestConfirmationAsync(["A"], VnTime.Day(Jan15).AddDays(2), VnTime.Day(Jan15).AddDays(2), CancellationToken.None));
        Assert.Equal(t2, await ledger.GetOldestConfirmationAsync(["A", "B"], year.From, year.To, CancellationToken.None)); // months whole
        Assert.Equal(march.AddDays(5), await ledger.GetOldestConfirmationAsync(["B"], year.From, year.To, CancellationToken.None));
        Assert.Equal(march.AddDays(5), await ledger.GetOldestConfirmationAsync(["B"], new DateOnly(2025, 2, 15), new DateOnly(2025, 3, 10), CancellationToken.None));
        Assert.Null(await ledger.GetOldestConfirmationAsync(["C"], year.From, year.To, CancellationToken.None));

        // A later confirmation of the oldest does not raise it (a lower bound); a new synced entry older than it lowers it.
        await ledger.SaveAsync(second, second.Confirmed(t1.AddDays(1)), CancellationToken.None);
        Assert.Equal(t2, await ledger.GetOldestConfirmationAsync(["A"], jan.From, jan.To, CancellationToken.None));
        await ledger.SaveAsync(null, Entry("A", 5, Jan15).Confirmed(Jan15), CancellationToken.None);
        Assert.Equal(Jan15, await ledger.GetOldestConfirmationAsync(["A"], jan.From, jan.To, CancellationToken.None));
        Assert.Equal(Jan15, await ledger.GetOldestConfirmationAsync(["A"], year.From, year.To, CancellationToken.None));
        Assert.Equal(t1, (await ledger.GetAsync("A", first.MaHoSo, CancellationToken.None))!.ConfirmedAt);
    }
}
