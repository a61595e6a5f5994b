using DvcSync.Core.Ledger;

namespace DvcSync.UnitTests.Core.Ledger;

/// <summary>
/// An entry whose dossier moved to another agency (provincial-system.md, Agencies: counted once, for the latest agency)
/// counts for nothing where it was, covers the copies read before the move, and comes back only with a newer version.
/// </summary>
public class MovedEntryTests
{
    private static readonly DateTimeOffset Now = new(2025, 2, 1, 10, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public void A_moved_entry_counts_for_nothing_and_is_not_in_repair()
    {
        var entry = LedgerEntry.For(new DossierBuilder().Code("H19-1", "B").Version(3).Source(), Now);
        Assert.True(entry.CountsAsReceived);
        Assert.True(entry.IsInRepair);
        Assert.False(entry.Contributions().IsEmpty);

        var moved = entry.MovedAway("A", 5, Now);

        Assert.Equal("A", moved.MovedTo);
        Assert.Equal(5, moved.PhienBan);
        Assert.False(moved.CountsAsReceived);
        Assert.False(moved.CountsAsSynced);
        Assert.False(moved.IsUnsynced);
        Assert.False(moved.IsInRepair);
        Assert.Null(moved.ReceivedDay);
        Assert.True(moved.Contributions().IsEmpty);
        Assert.False(moved.Confirmed(Now).CountsAsSynced);
    }

    [Fact]
    public void A_copy_read_before_the_move_is_covered_and_a_newer_one_brings_the_entry_back()
    {
        var moved = LedgerEntry.For(new DossierBuilder().Code("H19-1", "B").Version(3).Source(), Now).MovedAway("A", 5, Now);

        var older = new DossierBuilder().Code("H19-1", "B").Version(4).Source();
        Assert.True(moved.Covers(older));
        Assert.Equal("A", moved.AtVersionOf(older, Now).MovedTo);

        var back = new DossierBuilder().Code("H19-1", "B").Version(6).Source();
        Assert.False(moved.Covers(back));
        var returned = moved.AtVersionOf(back, Now);
        Assert.Null(returned.MovedTo);
        Assert.True(returned.CountsAsReceived);
    }
}
