using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core;

/// <summary>Builds dossiers as the provincial system sends them, valid unless told otherwise.</summary>
public sealed class DossierBuilder
{
    private readonly JsonObject _fields = new()
    {
        ["MaHoSo"] = "000.00.19.H19-250115-00001",
        ["MaDonVi"] = "000.00.19.H19",
        ["MaTTHC"] = "1.001234",
        ["TenTTHC"] = "Cấp phiếu lý lịch tư pháp",
        ["ChuHoSo"] = "Nguyễn Văn An",
        ["SoGiayToChuHoSo"] = "079012345678",
        ["SoDienThoai"] = "0901234567",
        ["Email"] = "an.nguyen@example.vn",
        ["TrangThaiHoSo"] = "4",
        ["KenhThucHien"] = "2",
        ["NgayTiepNhan"] = "20250115093012",
        ["NgayHenTra"] = "20250125170000",
        ["NgayCapNhat"] = "20250116080000",
        ["PhienBan"] = 3,
        ["TrangThaiDongBo"] = "1",
        ["LoiDongBo"] = "",
    };

    public DossierBuilder With(string field, JsonNode? value)
    {
        _fields[field] = value;
        return this;
    }

    public DossierBuilder Without(string field)
    {
        _fields.Remove(field);
        return this;
    }

    public DossierBuilder Code(string maHoSo, string maDonVi) => With("MaHoSo", maHoSo).With("MaDonVi", maDonVi);
    public DossierBuilder Status(int code) => With("TrangThaiHoSo", code.ToString());
    public DossierBuilder Version(long phienBan) => With("PhienBan", phienBan);

    public JsonObject Json() => (JsonObject)_fields.DeepClone();
    public SourceDossier Source() => SourceDossier.FromJson(Json());
    public Dossier Dossier() => global::DvcSync.Core.Dossiers.Dossier.FromJson(Json());
}
