using DvcSync.Core.Agencies;

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
