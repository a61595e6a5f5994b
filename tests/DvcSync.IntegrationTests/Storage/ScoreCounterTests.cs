using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage;

/// <summary>The scorecard counters the ledger keeps beside its entries, in the same transaction, and their month roll-ups.</summary>
[Collection(AzuriteCollection.Name)]
public class ScoreCounterTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Jan15 = new(2025, 1, 15, 9, 30, 0, TimeSpan.FromHours(7));

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

    private static LedgerEntry Entry(string agency, int n)
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
        await using var storage = await TestStorage.CreateAsync(azurite);
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

        var entries = await LedgerAudit.AllEntriesAsync(storage.Account, storage.TablePrefix, ledger);
        Assert.Equal(90, entries.Count);
        Assert.All(entries, e => Assert.NotNull(e.SourceFacts));
        await LedgerAudit.AssertScoreCountersEqualRecountAsync(entries, ledger);

        // A year answered from month roll-ups and edge days equals the recount summed over the same days.
        var (from, to) = (new DateOnly(2025, 1, 20), new DateOnly(2025, 12, 31));
        var totals = await ledger.GetScoreTotalsAsync(["A", "B"], from, to, CancellationToken.None);
        foreach (var agency in (string[])["A", "B"])
        {
            var recount = ScoreContributions.Sum(entries.Where(e => e.MaDonVi == agency).Select(e => e.Contributions()));
            var expected = ScoreRows.SumPeriod(recount.Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)), [], from, to);
            foreach (var axis in Enum.GetValues<ScoreAxis>())
                foreach (var side in Enum.GetValues<ScoreSide>())
                    Assert.Equal(expected[axis, side].ToString(), totals[agency][axis, side].ToString());
            Assert.True(expected[ScoreAxis.Received, ScoreSide.Portal][ScoreCounterNames.Population] > 0);
        }
    }

    [Fact]
    public async Task A_portal_copy_without_its_reception_date_counts_on_the_source_side_only()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        var entry = await storage.Ledger.SaveAsync(null, Entry("A", 1), CancellationToken.None);
        var day = entry.ReceivedDay!.Value;
        await storage.Ledger.SaveAsync(entry, entry with { PortalHolds = true, PortalFacts = entry.SourceFacts! with { ReceivedDay = null } }, CancellationToken.None);

        var totals = (await storage.Ledger.GetScoreTotalsAsync(["A"], day, day, CancellationToken.None))["A"];
        Assert.Equal(1, totals[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population]);
        Assert.Equal(0, totals[ScoreAxis.Received, ScoreSide.Portal][ScoreCounterNames.Population]);
    }

    [Fact]
    public async Task Rollup_copies_lost_to_a_crash_are_redone_by_the_repair()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        await storage.Ledger.SaveManyAsync(Enumerable.Range(1, 30).Select(n => new LedgerChange(null, Entry("A", n))).ToList(), CancellationToken.None);
        var year = (new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
        var before = (await storage.Ledger.GetScoreTotalsAsync(["A"], year.Item1, year.Item2, CancellationToken.None))["A"];

        var rollups = storage.Account.Table(storage.TablePrefix + DvcSync.Infrastructure.Storage.StorageOptions.RollupTableName);
        await foreach (var row in rollups.QueryAsync<Azure.Data.Tables.TableEntity>($"PartitionKey eq 's2025'"))
            await rollups.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        Assert.Empty((await storage.Ledger.GetScoreTotalsAsync(["A"], year.Item1, year.Item2, CancellationToken.None))["A"][ScoreAxis.Received, ScoreSide.Source]);

        await storage.Ledger.RepairRollupCopiesAsync(CancellationToken.None);
        var after = (await storage.Ledger.GetScoreTotalsAsync(["A"], year.Item1, year.Item2, CancellationToken.None))["A"];
        Assert.Equal(30, after[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population]);
        Assert.Equal(before[ScoreAxis.Ended, ScoreSide.Source].ToString(), after[ScoreAxis.Ended, ScoreSide.Source].ToString());
    }
}
