using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core.Dossiers;

public class DossierTests
{
    [Fact]
    public void Reads_codes_sent_as_numbers_as_well_as_strings()
    {
        var dossier = new DossierBuilder().With("TrangThaiHoSo", 9).With("KenhThucHien", 2).With("NgayKetThucXuLy", "20250120100000").Dossier();
        Assert.Equal(TrangThaiHoSo.DaXuLyXong, dossier.TrangThaiHoSo);
        Assert.Equal(2, dossier.KenhThucHien);
        Assert.Empty(dossier.Defects);
    }

    [Fact]
    public void A_malformed_date_is_a_defect_of_the_dossier_not_an_exception()
    {
        var dossier = new DossierBuilder().With("NgayTiepNhan", "2025-13-45").Dossier();
        Assert.Null(dossier.NgayTiepNhan);
        var defect = Assert.Single(dossier.Defects);
        Assert.Equal("NgayTiepNhan", defect.Field);
        Assert.Contains("'9999-99-99'", defect.Description);
    }

    [Fact]
    public void Unknown_status_and_wrong_types_are_defects()
    {
        var dossier = new DossierBuilder().With("TrangThaiHoSo", "11").With("KenhThucHien", new JsonArray()).Dossier();
        Assert.Null(dossier.TrangThaiHoSo);
        Assert.Equal(["TrangThaiHoSo", "KenhThucHien"], dossier.Defects.Select(d => d.Field).Order().Reverse());
    }

    [Fact]
    public void An_empty_date_means_none_and_is_no_defect()
    {
        var dossier = new DossierBuilder().With("NgayTiepNhan", "").Status(1).Dossier();
        Assert.Null(dossier.NgayTiepNhan);
        Assert.Null(dossier.ReceivedDay);
        Assert.Empty(dossier.Defects);
    }

    [Fact]
    public void A_date_written_as_year_1_is_present_but_no_date_and_no_defect()
    {
        var source = new DossierBuilder().Status(2).With("NgayTiepNhan", "00010101000000").With("NgayHenTra", "00010101000000")
            .With("NgayKetThucXuLy", "00010101000000").With("NgayCapNhat", "00010101000000").Source();
        var dossier = source.Dossier;

        Assert.Empty(source.Defects);
        Assert.Null(dossier.NgayTiepNhan);
        Assert.Null(dossier.ReceivedDay);
        Assert.Null(dossier.NgayHenTra);
        Assert.Null(dossier.NgayKetThucXuLy);
        Assert.Null(source.NgayCapNhat);
        Assert.All(new[] { dossier.Dates.NgayTiepNhan, dossier.Dates.NgayHenTra, dossier.Dates.NgayKetThucXuLy }, reading =>
        {
            Assert.Equal(DateReadingKind.OutOfRange, reading.Kind);
            Assert.True(reading.IsPresent);
        });
        // The portal gets the value as the source wrote it.
        Assert.Equal("00010101000000", source.ToPortalPayload()["NgayTiepNhan"]!.GetValue<string>());
    }

    [Fact]
    public void Each_date_reads_as_absent_malformed_out_of_range_or_a_date()
    {
        var dossier = new DossierBuilder().Without("NgayTiepNhan").With("NgayHenTra", new JsonObject())
            .With("NgayKetThucXuLy", "20250120100000").Dossier();
        Assert.Equal(DateReadingKind.Absent, dossier.Dates.NgayTiepNhan.Kind);
        Assert.Equal(DateReadingKind.Malformed, dossier.Dates.NgayHenTra.Kind);
        Assert.Equal("NgayHenTra", Assert.Single(dossier.Defects).Field);
        Assert.Equal(DateReadingKind.Date, dossier.Dates.NgayKetThucXuLy.Kind);
        Assert.Equal(new DateTimeOffset(2025, 1, 20, 10, 0, 0, VnTime.Offset), dossier.NgayKetThucXuLy);
    }

    [Fact]
    public void An_entry_for_a_dossier_received_without_a_usable_date_counts_in_no_day()
    {
        var source = new DossierBuilder().Status(2).With("NgayTiepNhan", "00010101000000").Source();
        var entry = DvcSync.Core.Ledger.LedgerEntry.For(source, new DateTimeOffset(2025, 2, 1, 10, 0, 0, VnTime.Offset));
        Assert.Null(entry.NgayTiepNhan);
        Assert.False(entry.CountsAsReceived);
        Assert.False(entry.IsUnsynced);
    }

    [Fact]
    public void The_portal_payload_keeps_unknown_fields_and_drops_the_provincial_bookkeeping()
    {
        var source = new DossierBuilder().With("TruongMoiCuaTinh", new JsonObject { ["x"] = 1 }).Source();
        var payload = source.ToPortalPayload();
        Assert.Equal(1, payload["TruongMoiCuaTinh"]!["x"]!.GetValue<int>());
        foreach (var field in SourceDossier.ProvincialOnlyFields) Assert.False(payload.ContainsKey(field), field);
        Assert.Equal("Nguyễn Văn An", payload["ChuHoSo"]!.GetValue<string>());
    }

    [Fact]
    public void The_source_metadata_is_read()
    {
        var source = new DossierBuilder().Version(7).With("TrangThaiDongBo", 1).Source();
        Assert.Equal(7, source.PhienBan);
        Assert.True(source.FlaggedSynced);
        Assert.Equal(new DateTimeOffset(2025, 1, 16, 8, 0, 0, TimeSpan.FromHours(7)), source.NgayCapNhat);
    }

    [Fact]
    public void A_malformed_version_is_a_defect_of_the_source()
    {
        var source = new DossierBuilder().With("PhienBan", "bảy").Source();
        Assert.Contains(source.Defects, d => d.Field == "PhienBan");
        Assert.Equal(0, source.PhienBan);
    }

    [Fact]
    public void Defects_never_echo_personal_data()
    {
        var source = new DossierBuilder().With("NgayTiepNhan", "Nguyễn Văn An 079012345678").Source();
        var text = string.Join(" ", source.Defects.Select(d => d.Description));
        Assert.DoesNotContain("079012345678", text);
        Assert.DoesNotContain("Nguyễn", text);
    }
}
