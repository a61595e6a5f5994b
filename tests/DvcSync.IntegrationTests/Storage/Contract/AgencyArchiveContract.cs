using DvcSync.Core.Agencies;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>The agency archive's semantics, which every store must keep: the latest answer wins, nothing is forgotten, the agencies with data are never short.</summary>
public abstract class AgencyArchiveContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static readonly DateTimeOffset Jan15 = new(2025, 1, 15, 9, 30, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task The_latest_answer_wins_an_agency_left_out_stays_as_last_named_and_recording_twice_changes_nothing()
    {
        await using var storage = await OpenAsync();
        var province = new Agency("000.00.00.H19", "UBND tỉnh", "1", null);
        var oldDistrict = new Agency("000.00.19.H19", "UBND huyện Cũ", "2", "000.00.00.H19");
        await storage.Agencies.RememberAsync([province, oldDistrict, oldDistrict], CancellationToken.None);

        var renamedProvince = province with { TenDonVi = "UBND tỉnh (mới)" };
        var newDistrict = new Agency("000.00.20.H19", "UBND thị xã Mới", "2", "000.00.00.H19");
        await storage.Agencies.RememberAsync([renamedProvince, newDistrict], CancellationToken.None);
        await storage.Agencies.RememberAsync([renamedProvince, newDistrict], CancellationToken.None);

        var remembered = await storage.Agencies.GetRememberedAsync(CancellationToken.None);
        Assert.Equal([renamedProvince, oldDistrict, newDistrict], remembered.OrderBy(a => a.MaDonVi, StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_agencies_with_data_are_those_with_an_entry_or_a_reported_count()
    {
        await using var storage = await OpenAsync();
        Assert.Empty(await storage.Agencies.GetAgenciesWithDataAsync(CancellationToken.None));

        foreach (var (agency, received) in new[] { ("A", (DateTimeOffset?)Jan15), ("B", null), ("A", Jan15.AddDays(1)) })
            await storage.Ledger.SaveAsync(null, new LedgerEntry
            {
                MaHoSo = $"{agency}-{received?.Day ?? 0}", MaDonVi = agency, NgayTiepNhan = received, PhienBan = 1, State = SyncState.Pending, UpdatedAt = Jan15,
            }, CancellationToken.None);
        var day = new DateOnly(2025, 1, 15);
        await storage.Ledger.RecordReportedCountsAsync([new ReportedReceivedCount("C", day, 4)], day, day, CancellationToken.None);
        await storage.Agencies.RememberAsync([new Agency("D", "Listed without data", "2", null)], CancellationToken.None);

        Assert.Equal(["A", "B", "C"], (await storage.Agencies.GetAgenciesWithDataAsync(CancellationToken.None)).Order(StringComparer.Ordinal));
    }
}
