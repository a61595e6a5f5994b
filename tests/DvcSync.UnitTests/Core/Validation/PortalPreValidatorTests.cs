using DvcSync.Core.Validation;

namespace DvcSync.UnitTests.Core.Validation;

public class PortalPreValidatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 2, 1, 10, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public void A_complete_dossier_passes() => Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Dossier(), Now));

    [Fact]
    public void A_MaHoSo_that_does_not_start_with_the_agency_code_fails() =>
        Assert.Contains(PortalPreValidator.Validate(new DossierBuilder().Code("000.00.20.H19-250115-00001", "000.00.19.H19").Dossier(), Now),
            p => p.Contains("không bắt đầu"));

    [Fact]
    public void A_MaHoSo_over_50_characters_fails() =>
        Assert.Contains(PortalPreValidator.Validate(new DossierBuilder().Code("000.00.19.H19-" + new string('9', 40), "000.00.19.H19").Dossier(), Now),
            p => p.Contains("50"));

    [Fact]
    public void A_received_dossier_needs_NgayTiepNhan_but_a_status_1_one_does_not()
    {
        Assert.Contains("Thiếu NgayTiepNhan", PortalPreValidator.Validate(new DossierBuilder().Without("NgayTiepNhan").Dossier(), Now));
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Without("NgayTiepNhan").Status(1).Dossier(), Now));
    }

    [Fact]
    public void A_finished_dossier_needs_NgayKetThucXuLy()
    {
        Assert.Single(PortalPreValidator.Validate(new DossierBuilder().Status(9).Dossier(), Now));
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Status(10).With("NgayKetThucXuLy", "20250120100000").Dossier(), Now));
    }

    [Fact]
    public void NgayTiepNhan_more_than_five_minutes_ahead_of_the_clock_fails()
    {
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().With("NgayTiepNhan", "20250201100400").Dossier(), Now));
        Assert.Single(PortalPreValidator.Validate(new DossierBuilder().With("NgayTiepNhan", "20250201100600").Dossier(), Now));
    }

    [Fact]
    public void Malformed_checked_fields_fail_but_a_malformed_due_date_does_not()
    {
        Assert.Single(PortalPreValidator.Validate(new DossierBuilder().With("NgayTiepNhan", "20250115").Dossier(), Now));
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().With("NgayHenTra", "20250115").Dossier(), Now));
    }

    [Fact]
    public void A_date_written_as_year_1_is_present_and_valid_as_the_portal_reads_it()
    {
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Status(2).With("NgayTiepNhan", "00010101000000").Dossier(), Now));
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Status(10).With("NgayKetThucXuLy", "00010101000000").Dossier(), Now));
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().With("NgayHenTra", "00010101000000").With("NgayKetThucXuLy", "00010101000000").Dossier(), Now));
    }

    [Fact]
    public void A_received_date_beyond_2099_is_in_the_future_as_the_portal_sees_it() =>
        Assert.Contains("NgayTiepNhan 99991231235959 ở tương lai",
            PortalPreValidator.Validate(new DossierBuilder().With("NgayTiepNhan", "99991231235959").Dossier(), Now));

    [Fact]
    public void Of_NgayKetThucXuLy_the_portal_checks_only_that_a_finished_dossier_has_one()
    {
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "2025-01-20").Dossier(), Now));
        Assert.Empty(PortalPreValidator.Validate(new DossierBuilder().Status(4).With("NgayKetThucXuLy", "2025-01-20").Dossier(), Now));
        Assert.Contains("Thiếu NgayKetThucXuLy cho hồ sơ đã xử lý xong", PortalPreValidator.Validate(new DossierBuilder().Status(9).With("NgayKetThucXuLy", " ").Dossier(), Now));
    }

    [Fact]
    public void An_unknown_procedure_fails_only_when_the_catalogue_says_so()
    {
        var dossier = new DossierBuilder().With("MaTTHC", "1.000999").Dossier();
        Assert.Empty(PortalPreValidator.Validate(dossier, Now, _ => null));
        Assert.Contains("MaTTHC 1.000999 không tồn tại trong CSDL quốc gia về TTHC", PortalPreValidator.Validate(dossier, Now, _ => false));
    }

    [Fact]
    public void Overlong_text_fields_fail()
    {
        Assert.Single(PortalPreValidator.Validate(new DossierBuilder().With("TrichYeuHoSo", new string('a', 1001)).Dossier(), Now));
        Assert.Single(PortalPreValidator.Validate(new DossierBuilder().With("DonViXuLy", new string('a', 251)).Dossier(), Now));
    }

    [Fact]
    public void A_channel_outside_1_to_3_fails() =>
        Assert.Single(PortalPreValidator.Validate(new DossierBuilder().With("KenhThucHien", "4").Dossier(), Now));
}
