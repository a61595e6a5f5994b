using System.Text.Json.Nodes;

namespace DvcSync.Simulators.Seeding;

/// <summary>An agency as <c>GET /api/v1/donvi</c> lists it. <c>Cap</c>: TINH, SO, HUYEN or XA.</summary>
public sealed record Agency(string MaDonVi, string TenDonVi, string Cap, string? MaDonViCha)
{
    public JsonObject ToJson() => new()
    {
        ["MaDonVi"] = MaDonVi,
        ["TenDonVi"] = TenDonVi,
        ["Cap"] = Cap,
        ["MaDonViCha"] = MaDonViCha,
    };
}

/// <summary>An agency with what the generator needs: when it received dossiers, which procedures, how many.</summary>
internal sealed record AgencySeed(Agency Agency, string Owner, DateTimeOffset? ActiveFrom, DateTimeOffset? ActiveUntil, double Weight)
{
    public bool ActiveAt(DateTimeOffset t) => (ActiveFrom is null || t >= ActiveFrom) && (ActiveUntil is null || t < ActiveUntil);
}

/// <summary>The province's agencies: the province, its departments, old districts and their communes (before
/// 1 July 2025) and the new communes and wards of the two-level structure (from 1 July 2025).</summary>
internal static class AgencyDirectory
{
    public static readonly DateTimeOffset DepartmentMerger = new(2025, 3, 1, 0, 0, 0, TimeSpan.FromHours(7));
    public static readonly DateTimeOffset TwoLevelGovernment = new(2025, 7, 1, 0, 0, 0, TimeSpan.FromHours(7));

    private static readonly (int No, string Name, string Owner, bool? BeforeMerger)[] Departments =
    [
        (10, "Sở Nội vụ", "NV|LD", null),
        (11, "Sở Tài chính", "TC", null),
        (12, "Sở Xây dựng", "XD|GT", null),
        (13, "Sở Công Thương", "CT", null),
        (14, "Sở Nông nghiệp và Môi trường", "MT|NN", false),
        (15, "Sở Giáo dục và Đào tạo", "GD", null),
        (16, "Sở Y tế", "YT", null),
        (17, "Sở Văn hóa, Thể thao và Du lịch", "VH", null),
        (18, "Sở Khoa học và Công nghệ", "KH|TT", null),
        (19, "Sở Tư pháp", "TP", null),
        (20, "Sở Kế hoạch và Đầu tư", "TC", true),
        (21, "Sở Tài nguyên và Môi trường", "MT", true),
        (22, "Sở Nông nghiệp và Phát triển nông thôn", "NN", true),
        (23, "Sở Giao thông vận tải", "GT", true),
        (24, "Sở Lao động - Thương binh và Xã hội", "LD", true),
        (25, "Sở Thông tin và Truyền thông", "TT", true),
        (26, "Sở Dân tộc và Tôn giáo", "DT", false),
        (27, "Sở Ngoại vụ", "NG", null),
    ];

    private static readonly string[] PlaceNames =
    [
        "An Bình", "An Khánh", "Bình Minh", "Bình Thuận", "Cẩm Phong", "Đông Hưng", "Đồng Tâm", "Hòa Bình", "Hòa Lạc",
        "Hòa Phú", "Hợp Thành", "Hưng Đạo", "Kim Long", "Lam Sơn", "Liên Minh", "Minh Đức", "Nam Tiến", "Nghĩa Hưng",
        "Phú Lâm", "Phú Mỹ", "Phúc Thọ", "Quang Trung", "Quyết Thắng", "Tân Lập", "Tân Phong", "Tân Thịnh", "Thanh Sơn",
        "Thắng Lợi", "Thống Nhất", "Thuận An", "Tiên Phong", "Trung Hòa", "Trường Xuân", "Vạn Xuân", "Việt Hưng",
        "Vĩnh Phúc", "Xuân Lộc", "Yên Bình", "Yên Lạc", "Yên Thế", "Đại Đồng", "Đức Thắng", "Hồng Phong", "Lạc Long",
        "Long Thành", "Mỹ Hào", "Ngọc Sơn", "Phong Châu", "Sơn Thủy", "Tam Dương", "Tân Hiệp", "Thạch Bàn", "Thiện Kế",
        "Thượng Lâm", "Trung Sơn", "Văn Lang", "Vũ Di", "Xuân Hòa", "Yên Hưng", "Đông Phương",
    ];

    private static readonly string[] DistrictNames = ["Phú Lương", "Đồng Hỷ", "Đại Từ", "Võ Nhai", "Định Hóa", "Văn Lãng", "Hữu Lũng", "Bắc Sơn"];

    public static List<AgencySeed> Build(string provinceSuffix, int newCommunes, int oldDistricts, int oldCommunesPerDistrict)
    {
        var province = $"000.00.00.{provinceSuffix}";
        var list = new List<AgencySeed>
        {
            new(new Agency(province, "Ủy ban nhân dân tỉnh Bình Sơn", "TINH", null), "TINH", null, null, 0),
        };
        foreach (var d in Departments)
        {
            var (from, until) = d.BeforeMerger switch
            {
                true => ((DateTimeOffset?)null, (DateTimeOffset?)DepartmentMerger),
                false => (DepartmentMerger, null),
                null => (null, null),
            };
            list.Add(new AgencySeed(new Agency($"000.00.{d.No:00}.{provinceSuffix}", d.Name, "SO", province), d.Owner, from, until, 3.0));
        }

        var names = 0;
        for (var k = 0; k < oldDistricts; k++)
        {
            var districtNo = 31 + k;
            var districtCode = $"000.00.{districtNo:00}.{provinceSuffix}";
            var districtName = k < DistrictNames.Length ? DistrictNames[k] : $"{DistrictNames[k % DistrictNames.Length]} {k / DistrictNames.Length + 1}";
            list.Add(new AgencySeed(new Agency(districtCode, $"Huyện {districtName}", "HUYEN", province), "HUYEN", null, TwoLevelGovernment, 4.0));
            for (var c = 1; c <= oldCommunesPerDistrict; c++)
            {
                var name = PlaceName(names++);
                list.Add(new AgencySeed(
                    new Agency($"000.{c:00}.{districtNo:00}.{provinceSuffix}", $"Xã {name}", "XA", districtCode),
                    "XA", null, TwoLevelGovernment, 1.0));
            }
        }

        for (var k = 0; k < newCommunes; k++)
        {
            var name = PlaceName(names++);
            var kind = k % 4 == 0 ? "Phường" : "Xã";
            list.Add(new AgencySeed(
                new Agency($"000.{k % 100 + 1:00}.{70 + k / 100:00}.{provinceSuffix}", $"{kind} {name}", "XA", province),
                "XA|HUYEN", TwoLevelGovernment, null, 2.0));
        }
        return list;
    }

    private static string PlaceName(int i) =>
        i < PlaceNames.Length ? PlaceNames[i] : $"{PlaceNames[i % PlaceNames.Length]} {i / PlaceNames.Length + 1}";
}
