using DvcSync.Application.Agencies;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using Moq;

namespace DvcSync.UnitTests.Application.Agencies;

/// <summary>The agency hierarchy the queries and the audit read: built from the provincial list, cached, kept through an outage.</summary>
public class AgencyDirectoryTests
{
    private readonly HandlerFixture _f = new();

    private void Lists(params Agency[] agencies) =>
        _f.Provincial.Setup(p => p.GetAgenciesAsync(It.IsAny<CancellationToken>())).ReturnsAsync(agencies);

    private void IsDown() =>
        _f.Provincial.Setup(p => p.GetAgenciesAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExternalSystemUnavailableException("provincial system", "503"));

    private void ReadTimes(int count) => _f.Provincial.Verify(p => p.GetAgenciesAsync(It.IsAny<CancellationToken>()), Times.Exactly(count));

    [Fact]
    public async Task The_tree_is_the_provincial_list_with_the_province_at_its_root()
    {
        var directory = Province.Directory(_f);

        var tree = await directory.GetAsync(CancellationToken.None);

        Assert.Equal(Province.Root, tree.Root);
        Assert.Equal([Province.Justice, Province.Health], tree.ChildrenOf(Province.Root.MaDonVi));
        Assert.Equal(new HashSet<string> { Province.Justice.MaDonVi, Province.Commune.MaDonVi }, tree.Subtree(Province.Justice.MaDonVi));
        Assert.Null(tree.Find("000.00.99.H19"));
    }

    [Fact]
    public async Task Within_ten_minutes_the_list_is_read_once_after_them_again()
    {
        var directory = Province.Directory(_f);
        await directory.GetAsync(CancellationToken.None);
        _f.Clock.Now += TimeSpan.FromMinutes(9);
        await directory.GetAsync(CancellationToken.None);
        ReadTimes(1);

        var added = new Agency("000.00.21.H19", "Sở Xây dựng", "SO", Province.Root.MaDonVi);
        Lists([.. Province.All, added]);
        _f.Clock.Now += TimeSpan.FromMinutes(2);
        var tree = await directory.GetAsync(CancellationToken.None);

        ReadTimes(2);
        Assert.Equal(added, tree.Find(added.MaDonVi));
    }

    [Fact]
    public async Task Callers_arriving_together_share_one_read()
    {
        var directory = Province.Directory(_f);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => directory.GetAsync(CancellationToken.None))));

        ReadTimes(1);
    }

    [Fact]
    public async Task While_the_provincial_system_is_down_the_last_tree_read_stands()
    {
        var directory = Province.Directory(_f);
        var before = await directory.GetAsync(CancellationToken.None);
        IsDown();
        _f.Clock.Now += TimeSpan.FromHours(1);

        Assert.Same(before, await directory.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task With_no_tree_read_yet_the_outage_reaches_the_caller()
    {
        IsDown();
        var directory = new AgencyDirectory(_f.Provincial.Object, new InMemoryAgencyArchive(), _f.Clock);

        await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => directory.GetAsync(CancellationToken.None));
    }

    [Fact]
    public void An_unknown_agency_is_described_by_its_shape_not_repeated()
    {
        const string Given = "<script>0901234567";

        var message = AgencyDirectory.NotListed(Given);

        Assert.DoesNotContain(Given, message);
        Assert.Contains(Dossier.Shape(Given), message);
    }
}
