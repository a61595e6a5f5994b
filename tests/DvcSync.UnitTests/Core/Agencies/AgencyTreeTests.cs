using DvcSync.Core.Agencies;
using DvcSync.Core.Indicators;

namespace DvcSync.UnitTests.Core.Agencies;

public class AgencyTreeTests
{
    private static readonly AgencyTree Tree = new([
        new Agency("P", "Tỉnh", "TINH", null),
        new Agency("S1", "Sở Tư pháp", "SO", "P"),
        new Agency("H1", "Huyện cũ", "HUYEN", "P"),
        new Agency("X1", "Xã cũ", "XA", "H1"),
        new Agency("X2", "Phường mới", "XA", "P"),
    ]);

    [Fact]
    public void The_root_is_the_province() => Assert.Equal("P", Tree.Root!.MaDonVi);

    [Fact]
    public void A_subtree_goes_as_deep_as_the_data() =>
        Assert.Equal(["H1", "P", "S1", "X1", "X2"], Tree.Subtree("P").Order(StringComparer.Ordinal));

    [Fact]
    public void Children_are_the_agencies_directly_below() =>
        Assert.Equal(["H1", "S1", "X2"], Tree.ChildrenOf("P").Select(a => a.MaDonVi));

    [Fact]
    public void An_unknown_agency_has_an_empty_subtree() => Assert.Empty(Tree.Subtree("nope"));

    [Fact]
    public void A_cycle_in_bad_data_does_not_hang()
    {
        var tree = new AgencyTree([new Agency("P", "Tỉnh", "TINH", null), new Agency("A", "a", "SO", "B"), new Agency("B", "b", "SO", "A")]);
        Assert.Equal(["P"], tree.Subtree("P"));
        Assert.Equal(2, tree.Subtree("A").Count);
    }
}

public class RememberedAgenciesTests
{
    private static readonly Agency Province = new("P", "Tỉnh", "TINH", null);
    private static readonly Agency Department = new("S1", "Sở Tư pháp", "SO", "P");
    private static readonly Agency District = new("H1", "Huyện cũ", "HUYEN", "P");
    private static readonly Agency Ward = new("X1", "Xã cũ", "XA", "H1");

    [Fact]
    public void The_acceptance_case_a_ward_of_an_abolished_district_still_counts_for_the_district_and_the_province()
    {
        // April–June 2025: the old ward received 20 dossiers, 18 of them on the portal; today's list names neither it nor its district.
        var tree = RememberedAgencies.Build([Province, Department], [Province, Department, District, Ward], ["X1"]);
        var days = new[]
        {
            new LedgerDayCount("X1", new DateOnly(2025, 4, 10), Seen: 8, Synced: 8),
            new LedgerDayCount("X1", new DateOnly(2025, 5, 12), Seen: 7, Synced: 6),
            new LedgerDayCount("X1", new DateOnly(2025, 6, 20), Seen: 5, Synced: 4),
        };
        var calculator = new SyncRateCalculator(days);
        var from = new DateOnly(2025, 4, 1);
        var to = new DateOnly(2025, 6, 30);

        Assert.Equal(new SyncRateFigures(20, 18), calculator.For(tree.Subtree("P"), from, to));
        Assert.Equal(new SyncRateFigures(20, 18), calculator.For(tree.Subtree("H1"), from, to));
        Assert.True(tree.Find("H1")!.NoLongerListed);
        Assert.False(tree.Find("S1")!.NoLongerListed);
        Assert.Equal(["H1", "S1"], tree.ChildrenOf("P").Select(a => a.MaDonVi));
    }

    [Fact]
    public void A_unit_whose_parent_is_unknown_or_known_only_from_the_ledger_hangs_under_the_province()
    {
        var tree = RememberedAgencies.Build([Province], [new Agency("X9", "Xã", "XA", "H-unknown")], ["Q7"]);
        Assert.Equal("P", tree.Find("X9")!.MaDonViCha);
        Assert.Equal("P", tree.Find("Q7")!.MaDonViCha);
        Assert.Equal(["P", "Q7", "X9"], tree.Subtree("P").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_remembered_cycle_is_cut_once_and_counts_for_the_province()
    {
        var tree = RememberedAgencies.Build([Province], [new Agency("A", "a", "SO", "B"), new Agency("B", "b", "SO", "A")], []);
        Assert.Equal(["A", "B", "P"], tree.Subtree("P").Order(StringComparer.Ordinal));
        Assert.Equal(["A", "B"], tree.Subtree("A").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_list_wins_over_what_was_remembered()
    {
        var moved = new Agency("X1", "Phường mới", "XA", "P");
        var tree = RememberedAgencies.Build([Province, moved], [Province, District, Ward], []);
        Assert.Equal("P", tree.Find("X1")!.MaDonViCha);
        Assert.False(tree.Find("X1")!.NoLongerListed);
        Assert.Empty(tree.ChildrenOf("H1"));
    }
}
