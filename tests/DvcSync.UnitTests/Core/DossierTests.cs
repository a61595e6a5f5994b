using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core;

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
