using DvcSync.Core.Ledger;
using DvcSync.Infrastructure.Storage;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Storage.Contract;

namespace DvcSync.IntegrationTests.Storage;

/// <summary>
/// On Azure Tables a move spans three partitions (the old agency's, the index's, the new agency's) and cannot be one
/// transaction. A crash after any step leaves the dossier counted nowhere — never twice — and the next save of the
/// dossier under its new agency (the reconciliation reads the un-checkpointed page again) finishes the move.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LedgerMoveCrashTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Jan15 = new(2025, 1, 15, 9, 30, 0, TimeSpan.FromHours(7));
    private static readonly (DateOnly From, DateOnly To) Year = (new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));

    private static LedgerEntry Dossier(string agency, long version) => ScoreCounterContract.Entry("X", 1) with { MaDonVi = agency, PhienBan = version };

    [Theory]
    [InlineData("retired")]
    [InlineData("indexed")]
    public async Task A_crash_between_the_steps_of_a_move_under_counts_until_the_next_save_and_never_double_counts(string crashAfter)
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        var old = await storage.Ledger.SaveAsync(null, Dossier("B", 1), CancellationToken.None);
        await storage.Ledger.SaveAsync(old, old.Confirmed(Jan15), CancellationToken.None);

        var crashing = new TableSyncLedger(
            storage.Account.Table(storage.TablePrefix + StorageOptions.LedgerTableName),
            new PartitionRegistry(storage.Account.Table(storage.TablePrefix + StorageOptions.StateTableName)),
            storage.Account.Table(storage.TablePrefix + StorageOptions.RollupTableName),
            step =>
            {
                if (step == crashAfter) throw new IOException("the process died after " + step);
            });
        await Assert.ThrowsAsync<IOException>(() => crashing.SaveAsync(null, Dossier("A", 2).Confirmed(Jan15), CancellationToken.None));

        Assert.Equal(0, await SeenAsync(storage, "A") + await SeenAsync(storage, "B"));
        Assert.Null(await storage.Ledger.GetAsync("A", old.MaHoSo, CancellationToken.None));

        // The next pass sees the dossier under A again and saves it as new.
        var arrived = await storage.Ledger.SaveAsync(null, Dossier("A", 2).Confirmed(Jan15), CancellationToken.None);
        Assert.False(arrived.HasMoved);
        Assert.Equal(1, await SeenAsync(storage, "A"));
        Assert.Equal(0, await SeenAsync(storage, "B"));
        Assert.Equal("A", (await storage.Ledger.GetAsync("B", old.MaHoSo, CancellationToken.None))!.MovedTo);
        await LedgerAudit.AssertCountsEqualRecountAsync(storage.Account, storage.TablePrefix, storage.Ledger);
    }

    [Fact]
    public async Task An_older_copy_arriving_while_a_newer_ones_entry_is_not_yet_written_is_saved_as_moved()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        // The newer copy (A, version 2) has named its agency but its entry is not written yet: another writer is between
        // the two steps (here: stopped there).
        var between = new TableSyncLedger(
            storage.Account.Table(storage.TablePrefix + StorageOptions.LedgerTableName),
            new PartitionRegistry(storage.Account.Table(storage.TablePrefix + StorageOptions.StateTableName)),
            storage.Account.Table(storage.TablePrefix + StorageOptions.RollupTableName),
            step =>
            {
                if (step == "indexed") throw new IOException("paused after " + step);
            });
        await Assert.ThrowsAsync<IOException>(() => between.SaveAsync(null, Dossier("A", 2), CancellationToken.None));

        var older = await storage.Ledger.SaveAsync(null, Dossier("B", 1), CancellationToken.None);
        Assert.Equal("A", older.MovedTo);

        await storage.Ledger.SaveAsync(null, Dossier("A", 2), CancellationToken.None);
        Assert.Equal(1, await SeenAsync(storage, "A"));
        Assert.Equal(0, await SeenAsync(storage, "B"));
        await LedgerAudit.AssertCountsEqualRecountAsync(storage.Account, storage.TablePrefix, storage.Ledger);
    }

    private static async Task<long> SeenAsync(TestStorage storage, string agency)
    {
        var (months, days) = await storage.Ledger.GetPeriodCountsAsync([agency], Year.From, Year.To, CancellationToken.None);
        return months.Sum(m => m.Received) + days.Sum(d => d.Seen);
    }
}
