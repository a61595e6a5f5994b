using System.Text.Json.Nodes;

namespace DvcSync.Simulators.Seeding;

/// <summary>One procedure of the national procedure catalogue (CSDL quốc gia về TTHC) as the simulators know it.</summary>
/// <param name="Owner">Which kind of agency handles it: a department key (e.g. <c>TP</c>), <c>HUYEN</c> or <c>XA</c>.</param>
public sealed record Procedure(
    string MaTTHC,
    string TenTTHC,
    string MaLinhVuc,
    string TenLinhVuc,
    bool CoPhiLePhi,
    int ProcessingDays,
    string Owner,
    long Fee);

/// <summary>The seeded national procedure catalogue: what <c>LayThuTuc</c> answers and what <c>DongBoHoSoMC</c> validates <c>MaTTHC</c> against.</summary>
public sealed class ProcedureCatalogue
{
    private readonly Dictionary<string, Procedure> _byCode;

    public ProcedureCatalogue(IEnumerable<Procedure> procedures)
    {
        All = procedures.ToList();
        _byCode = All.ToDictionary(p => p.MaTTHC, StringComparer.Ordinal);
    }

    public IReadOnlyList<Procedure> All { get; }

    public bool Contains(string? maTTHC) => maTTHC is not null && _byCode.ContainsKey(maTTHC);

    public Procedure? Find(string? maTTHC) => maTTHC is not null && _byCode.TryGetValue(maTTHC, out var p) ? p : null;

    /// <summary>The entry as <c>LayThuTuc</c> answers it.</summary>
    public static JsonObject ToPortalJson(Procedure p) => new()
    {
        ["MATTHC"] = p.MaTTHC,
        ["TENTTHC"] = p.TenTTHC,
        ["LINHVUCTHUCHIEN"] = new JsonArray(new JsonObject { ["MALINHVUC"] = p.MaLinhVuc, ["TENLINHVUC"] = p.TenLinhVuc }),
        ["COPHILEPHI"] = p.CoPhiLePhi ? "1" : "0",
        ["THOIHANGIAIQUYET"] = p.ProcessingDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Codes that are guaranteed not to be in <see cref="Default"/> (the scenario's "unknown procedure" defects use them).</summary>
    public static string UnknownCode(int n) => $"1.099{n % 1000:000}";

    public static ProcedureCatalogue Default { get; } = new(
    [
        // Commune level (cấp xã)
        new("1.001193", "Đăng ký khai sinh", "G09-TP10", "Hộ tịch", false, 1, "XA", 0),
        new("1.000894", "Đăng ký kết hôn", "G09-TP10", "Hộ tịch", false, 1, "XA", 0),
        new("1.000656", "Đăng ký khai tử", "G09-TP10", "Hộ tịch", false, 1, "XA", 0),
        new("1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân", "G09-TP10", "Hộ tịch", true, 3, "XA", 15000),
        new("1.001022", "Cấp bản sao Trích lục hộ tịch", "G09-TP10", "Hộ tịch", true, 1, "XA", 8000),
        new("2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp", "G09-TP02", "Chứng thực", true, 1, "XA", 2000),
        new("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "G09-TP02", "Chứng thực", true, 1, "XA", 10000),
        new("2.000477", "Đăng ký thành lập hộ kinh doanh", "G13-KH05", "Thành lập và hoạt động của hộ kinh doanh", true, 3, "XA", 100000),
        new("1.003596", "Xác nhận hợp đồng tiếp cận nguồn gen", "G11-MT02", "Môi trường", false, 5, "XA", 0),
        // District level before 1 July 2025 (cấp huyện)
        new("2.000720", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", "G13-KH05", "Thành lập và hoạt động của hộ kinh doanh", true, 3, "HUYEN", 100000),
        new("1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", "G14-XD03", "Hoạt động xây dựng", true, 15, "HUYEN", 75000),
        new("1.004227", "Đăng ký đất đai, tài sản gắn liền với đất lần đầu", "G11-DD01", "Đất đai", true, 20, "HUYEN", 100000),
        new("1.000775", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", "G11-DD01", "Đất đai", true, 10, "HUYEN", 50000),
        // Department of Justice (Sở Tư pháp)
        new("1.001234", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam", "G09-TP07", "Lý lịch tư pháp", true, 10, "TP", 200000),
        new("2.000488", "Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, cơ quan tiến hành tố tụng", "G09-TP07", "Lý lịch tư pháp", false, 10, "TP", 0),
        new("1.008722", "Đăng ký hoạt động Văn phòng công chứng", "G09-TP04", "Công chứng", true, 10, "TP", 1000000),
        // Planning and Investment, then Finance (Sở Kế hoạch và Đầu tư → Sở Tài chính)
        new("2.001610", "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên", "G13-KH01", "Thành lập và hoạt động của doanh nghiệp", true, 3, "TC", 50000),
        new("2.002042", "Đăng ký thành lập doanh nghiệp tư nhân", "G13-KH01", "Thành lập và hoạt động của doanh nghiệp", true, 3, "TC", 50000),
        new("1.005003", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", "G13-KH01", "Thành lập và hoạt động của doanh nghiệp", true, 3, "TC", 50000),
        new("2.001199", "Quyết định chủ trương đầu tư của Ủy ban nhân dân cấp tỉnh", "G13-KH03", "Đầu tư tại Việt Nam", false, 35, "TC", 0),
        // Construction (Sở Xây dựng; transport merged into it in 2025)
        new("1.009972", "Cấp giấy phép xây dựng mới đối với công trình cấp I, cấp II", "G14-XD03", "Hoạt động xây dựng", true, 20, "XD", 150000),
        new("1.002804", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", "G15-GT01", "Đường bộ", true, 5, "GT", 135000),
        new("1.002662", "Cấp lại giấy phép lái xe", "G15-GT01", "Đường bộ", true, 10, "GT", 135000),
        // Industry and Trade (Sở Công Thương)
        new("2.000620", "Cấp Giấy phép bán lẻ sản phẩm rượu", "G12-CT04", "Lưu thông hàng hóa trong nước", true, 10, "CT", 1200000),
        new("2.001283", "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai", "G12-CT06", "Kinh doanh khí", true, 15, "CT", 400000),
        // Natural resources, agriculture (Sở Tài nguyên và Môi trường, Sở NN&PTNT → Sở Nông nghiệp và Môi trường)
        new("1.004240", "Cấp giấy phép khai thác, sử dụng nước mặt", "G11-TN03", "Tài nguyên nước", true, 30, "MT", 600000),
        new("1.010733", "Thẩm định báo cáo đánh giá tác động môi trường", "G11-MT02", "Môi trường", true, 30, "MT", 6500000),
        new("1.003984", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản", "G10-NN08", "Quản lý chất lượng nông lâm sản và thủy sản", true, 15, "NN", 700000),
        // Education (Sở Giáo dục và Đào tạo)
        new("2.001914", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "G16-GD02", "Văn bằng, chứng chỉ", false, 1, "GD", 0),
        new("1.005092", "Công nhận văn bằng tốt nghiệp do cơ sở giáo dục nước ngoài cấp", "G16-GD02", "Văn bằng, chứng chỉ", false, 20, "GD", 0),
        // Health (Sở Y tế)
        new("1.002425", "Cấp mới giấy phép hành nghề khám bệnh, chữa bệnh", "G17-YT01", "Khám bệnh, chữa bệnh", true, 30, "YT", 360000),
        new("1.003001", "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược", "G17-YT04", "Dược phẩm", true, 30, "YT", 4000000),
        // Culture, sports and tourism
        new("1.001029", "Tổ chức biểu diễn nghệ thuật", "G18-VH02", "Nghệ thuật biểu diễn", false, 5, "VH", 0),
        new("1.004628", "Công nhận hạng cơ sở lưu trú du lịch: hạng 3 sao", "G18-DL01", "Du lịch", true, 30, "VH", 2000000),
        // Science and technology
        new("1.000473", "Cấp Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", "G19-KH02", "Hoạt động khoa học và công nghệ", true, 15, "KH", 200000),
        // Labour (Sở LĐ-TB&XH → Sở Nội vụ) and Home affairs
        new("1.000459", "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", "G20-LD03", "Việc làm", true, 5, "LD", 600000),
        new("2.000286", "Giải quyết hưởng trợ cấp thất nghiệp", "G20-LD04", "Bảo hiểm thất nghiệp", false, 20, "LD", 0),
        new("1.003827", "Thẩm định thành lập hội", "G21-NV05", "Tổ chức phi chính phủ", false, 30, "NV", 0),
        // Ethnic and religious affairs, foreign affairs, information and communications
        new("1.001098", "Đăng ký hoạt động tín ngưỡng", "G21-TG01", "Tín ngưỡng, tôn giáo", false, 15, "DT", 0),
        new("1.002309", "Cho phép tổ chức hội nghị, hội thảo quốc tế", "G22-NG01", "Hội nghị, hội thảo quốc tế", false, 15, "NG", 0),
        new("1.004145", "Cấp giấy phép xuất bản bản tin", "G23-TT02", "Báo chí", false, 15, "TT", 0),
    ]);
}
