using DvcSync.Application.Agencies;
using DvcSync.Core.Agencies;
using Moq;

namespace DvcSync.UnitTests.Application;

/// <summary>A small province as the provincial system lists it: the province, two departments, a commune below one.</summary>
public static class Province
{
    public static readonly Agency Root = new("000.00.00.H19", "UBND tỉnh", "TINH", null);
    public static readonly Agency Justice = new("000.00.19.H19", "Sở Tư pháp", "SO", Root.MaDonVi);
    public static readonly Agency Health = new("000.00.20.H19", "Sở Y tế", "SO", Root.MaDonVi);
    public static readonly Agency Commune = new("000.01.19.H19", "UBND xã An Phú", "XA", Justice.MaDonVi);

    public static readonly Agency[] All = [Root, Justice, Health, Commune];

    /// <summary>The fixture's provincial system lists <paramref name="agencies"/> (this province by default); the directory over it.</summary>
    public static AgencyDirectory Directory(HandlerFixture f, IReadOnlyList<Agency>? agencies = null)
    {
        f.Provincial.Setup(p => p.GetAgenciesAsync(It.IsAny<CancellationToken>())).ReturnsAsync(agencies ?? All);
        return new AgencyDirectory(f.Provincial.Object, new InMemoryAgencyArchive(), f.Clock);
    }
}
