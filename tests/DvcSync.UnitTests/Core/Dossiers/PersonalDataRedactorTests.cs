using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core.Dossiers;

public class PersonalDataRedactorTests
{
    private static readonly JsonObject Applicant = new()
    {
        ["MaHoSo"] = "000.00.19.H19-250115-00001",
        ["MaTTHC"] = "1.001234",
        ["ChuHoSo"] = "Nguyễn Văn Đạt",
        ["SoGiayToChuHoSo"] = "079203001234",
        ["MaDoiTuong"] = "5f2a9c0d1e3b4a6f7c8d9e0a",
        ["DinhDanhCHS"] = new JsonArray(new JsonObject { ["LoaiDinhDanh"] = "1", ["SoDinhDanh"] = "079203001234" }, new JsonObject { ["LoaiDinhDanh"] = "2", ["SoDinhDanh"] = "381234567" }),
        ["SoDienThoai"] = "0912345678",
        ["Email"] = "datnv1987@gmail.com",
        ["NgayTiepNhan"] = "20250115093012",
    };

    private static readonly PersonalDataRedactor Redactor = PersonalDataRedactor.For([Applicant]);

    [Theory]
    [InlineData("Hồ sơ của Nguyễn Văn Đạt bị từ chối", "Hồ sơ của *** bị từ chối")]
    [InlineData("Hồ sơ của NGUYEN VAN DAT bị từ chối", "Hồ sơ của *** bị từ chối")]
    [InlineData("chu ho so nguyen  van   dat, trang thai 4", "chu ho so ***, trang thai 4")]
    [InlineData("Hồ sơ của Nguyê\u0303n Văn Đạt", "Hồ sơ của ***")]
    [InlineData("CCCD 079203001234 không hợp lệ", "CCCD *** không hợp lệ")]
    [InlineData("CCCD 079-203-001-234", "CCCD ***")]
    [InlineData("CMND:381234567", "CMND:***")]
    [InlineData("SĐT 0912 345 678 / 0912.345.678", "SĐT *** / ***")]
    [InlineData("email DATNV1987@GMAIL.COM", "email ***")]
    [InlineData("TechID 5F2A9C0D1E3B4A6F7C8D9E0A sai", "TechID *** sai")]
    public void Every_personal_value_of_the_dossier_is_removed_however_it_is_written(string message, string redacted) =>
        Assert.Equal(redacted, Redactor.Redact(message));

    [Theory]
    [InlineData("Người nộp 012345678901, điện thoại +84 987 654 321, thư a.b+c@mail.example.vn", "Người nộp ***, điện thoại ***, thư ***")]
    [InlineData("CMND 123456789 của người khác", "CMND *** của người khác")]
    [InlineData("gọi 0987654321 hoặc 024 3825 1234 hoặc 0084987654321", "gọi *** hoặc *** hoặc ***")]
    public void Anything_shaped_like_an_id_number_a_phone_or_an_e_mail_is_removed_even_without_the_dossier(string message, string redacted) =>
        Assert.Equal(redacted, PersonalDataRedactor.ShapesOnly.Redact(message));

    [Theory]
    [InlineData("Hồ sơ 000.00.19.H19-250115-00001 đã tồn tại")]
    [InlineData("MaTTHC 1.001234 không tồn tại trong CSDL quốc gia về TTHC")]
    [InlineData("NgayTiepNhan 20250115093012 lớn hơn thời điểm hiện tại")]
    [InlineData("NgayTiepNhan '00010101000000' không hợp lệ; NgayHenTra 2025-01-15 09:30:12")]
    [InlineData("tiếp nhận lúc 05.01.2025 09:30, hẹn trả 15/01/2025")]
    [InlineData("the portal could not do it (error_code 99: Lỗi hệ thống)")]
    [InlineData("Hồ sơ 000.20.35.H19-251231-12345 đã kết thúc, không được cập nhật trạng thái; trạng thái 10")]
    [InlineData("MaTTHC 2.000477 thuộc lĩnh vực 1.004227, mã đơn vị 000.00.00.H19")]
    [InlineData("Đạt yêu cầu")]
    public void Codes_dates_and_the_portals_own_words_survive(string message) =>
        Assert.Equal(message, Redactor.Redact(message));

    [Fact]
    public void Short_values_and_other_fields_are_not_personal_data()
    {
        var redactor = PersonalDataRedactor.For([new JsonObject { ["ChuHoSo"] = "An", ["DinhDanhCHS"] = new JsonArray(new JsonObject { ["LoaiDinhDanh"] = "1" }), ["TrichYeuHoSo"] = "Cấp giấy phép" }]);
        Assert.Equal("An toàn: Cấp giấy phép, loại 1", redactor.Redact("An toàn: Cấp giấy phép, loại 1"));
    }

    [Fact]
    public void Nothing_to_redact_leaves_the_text_as_it_is() =>
        Assert.Equal("", Redactor.Redact(null));
}
