using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>
/// The portal's messages (Vietnamese, as the real adapter answers) and the reply that carries them. They name dossiers
/// by MaHoSo only, unless the simulator is told to quote the applicant.
/// </summary>
public static class PortalMessages
{
    public const string Success = "Thành công";
    public const string InvalidData = "Dữ liệu không hợp lệ";
    public const string WrongCredentials = "Sai tên đăng nhập hoặc mật khẩu";
    public const string SessionInvalid = "Phiên làm việc không hợp lệ hoặc đã hết hạn";
    public const string SystemError = "Lỗi hệ thống";
    public const string Malformed = "Yêu cầu không hợp lệ: không đọc được dstcode, madonvi hoặc nội dung yêu cầu";

    public static string AlreadyExists(string? maHoSo) => $"Hồ sơ {maHoSo} đã tồn tại";
    public static string NotFound(string? maHoSo) => $"Hồ sơ {maHoSo} không tồn tại";
    public static string FinalState(string? maHoSo) => $"Hồ sơ {maHoSo} đã kết thúc, không được cập nhật trạng thái";
    public static string UnknownProcedure(string maTTHC) => $"MaTTHC {maTTHC} không tồn tại trong CSDL quốc gia về TTHC";
    public static string EndDateMissing(int status) => $"NgayKetThucXuLy không được để trống với trạng thái {status}";
    public static string ReceivedDateMalformed(string value) => $"NgayTiepNhan '{value}' không đúng định dạng yyyyMMddHHmmss";
    public static string ReceivedDateMissing(string status) => $"NgayTiepNhan không được để trống với trạng thái {status}";
    public static string ReceivedDateInFuture(string value) => $"NgayTiepNhan {value} lớn hơn thời điểm hiện tại";

    internal static JsonObject Reply(string code, string message) => new() { ["error_code"] = code, ["message"] = message };

    /// <summary>
    /// The applicant's values as <see cref="PortalState.QuoteApplicant"/> quotes them: the name in capitals without diacritics,
    /// every ID number, the phone grouped, the e-mail. Tests look for these in whatever the project keeps.
    /// </summary>
    public static IReadOnlyList<(string Label, string Value)> ApplicantAsQuoted(JsonObject dossier)
    {
        var parts = new List<(string, string)>();
        if (SimJson.Str(dossier, "ChuHoSo") is { Length: > 0 } name) parts.Add(("chủ hồ sơ", FakeIdentity.Ascii(name).ToUpperInvariant()));
        var ids = new List<string>();
        if (SimJson.Str(dossier, "SoGiayToChuHoSo") is { Length: > 0 } id) ids.Add(id);
        if (dossier["DinhDanhCHS"] is JsonArray identities)
            ids.AddRange(identities.OfType<JsonObject>().Select(i => SimJson.Str(i, "SoDinhDanh")).OfType<string>().Where(i => i.Length > 0));
        parts.AddRange(ids.Distinct().Select(i => ("số giấy tờ", i)));
        if (SimJson.Str(dossier, "SoDienThoai") is { Length: > 0 } phone)
            parts.Add(("điện thoại", phone.Length == 10 ? $"{phone[..4]} {phone[4..7]} {phone[7..]}" : phone));
        if (SimJson.Str(dossier, "Email") is { Length: > 0 } email) parts.Add(("thư điện tử", email));
        return parts;
    }
}
