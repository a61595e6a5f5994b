namespace DvcSync.Simulators.NationalPortal;

/// <summary>The portal's messages (Vietnamese, as the real adapter answers). They name dossiers by MaHoSo only.</summary>
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
}
