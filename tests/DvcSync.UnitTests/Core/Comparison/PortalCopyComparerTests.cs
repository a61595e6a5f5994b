using DvcSync.Core.Comparison;

namespace DvcSync.UnitTests.Core.Comparison;

public class PortalCopyComparerTests
{
    [Fact]
    public void No_copy_is_missing()
    {
        var verdict = PortalCopyComparer.Compare(new DossierBuilder().Dossier(), null);
        Assert.Equal(PortalCopyState.Missing, verdict.State);
        Assert.False(verdict.PortalHoldsIt);
        Assert.True(verdict.NeedsRepair);
    }

    [Fact]
    public void The_same_status_and_dates_are_current_even_if_other_fields_differ()
    {
        var portal = new DossierBuilder().With("TrichYeuHoSo", "khác").Without("ChuHoSo").With("TrangThaiHoSo", 4).Dossier();
        var verdict = PortalCopyComparer.Compare(new DossierBuilder().Dossier(), portal);
        Assert.Equal(PortalCopyState.Current, verdict.State);
        Assert.False(verdict.NeedsRepair);
    }

    [Theory]
    [InlineData("00010101000000", "00010101000000")]
    [InlineData("00010101000000", "")]
    [InlineData("99991231235959", null)]
    public void A_date_outside_the_supported_range_compares_as_no_date(string sourceValue, string? portalValue)
    {
        var portal = new DossierBuilder().With("NgayHenTra", portalValue).Dossier();
        var verdict = PortalCopyComparer.Compare(new DossierBuilder().With("NgayHenTra", sourceValue).Dossier(), portal);
        Assert.Equal(PortalCopyState.Current, verdict.State);
    }

    [Theory]
    [InlineData("TrangThaiHoSo", "2")]
    [InlineData("NgayTiepNhan", "20250115093013")]
    [InlineData("NgayHenTra", "")]
    [InlineData("NgayKetThucXuLy", "20250120100000")]
    public void A_different_status_or_date_is_stale_and_names_the_field(string field, string portalValue)
    {
        var portal = new DossierBuilder().With(field, portalValue).Dossier();
        var verdict = PortalCopyComparer.Compare(new DossierBuilder().Dossier(), portal);
        Assert.Equal(PortalCopyState.Stale, verdict.State);
        Assert.True(verdict.PortalHoldsIt);
        Assert.StartsWith(field, Assert.Single(verdict.Differences));
    }
}
