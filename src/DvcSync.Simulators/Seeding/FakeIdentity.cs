using System.Globalization;
using System.Text;

namespace DvcSync.Simulators.Seeding;

/// <summary>Fake but realistic Vietnamese personal data. Every value comes from the given <see cref="Random"/>.</summary>
internal static class FakeIdentity
{
    private static readonly string[] FamilyNames =
        ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Lương"];
    private static readonly string[] FamilyWeights = ["38", "11", "9", "7", "5", "4", "4", "4", "3", "2", "2", "2", "2", "1", "1", "1", "1", "1", "1", "1"];
    private static readonly string[] MaleMiddle = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Xuân", "Công", "Trọng", "Anh", "Gia", "Quang"];
    private static readonly string[] FemaleMiddle = ["Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Thùy", "Phương", "Kim", "Bảo"];
    private static readonly string[] MaleGiven =
        ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Khoa", "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh"];
    private static readonly string[] FemaleGiven =
        ["Anh", "Châu", "Chi", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Tâm", "Thảo", "Trang", "Trâm", "Uyên", "Vân", "Yến"];
    private static readonly string[] BusinessWords =
        ["Thành Công", "Phát Đạt", "Hưng Thịnh", "Minh Phát", "An Phú", "Đại Việt", "Sao Mai", "Hoàng Long", "Tân Tiến", "Kim Ngân", "Việt Á", "Trường An"];
    private static readonly string[] BusinessKinds =
        ["Công ty TNHH", "Công ty cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân", "Hợp tác xã"];
    private static readonly string[] BusinessTrades =
        ["Thương mại", "Xây dựng", "Dịch vụ", "Vận tải", "Nông sản", "Công nghệ", "Du lịch", "Thực phẩm"];
    private static readonly string[] EmailDomains = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com"];
    private static readonly string[] PhonePrefixes = ["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098", "088", "091", "094", "083", "084", "085", "070", "076", "077", "078", "079", "089", "090", "093", "056", "058", "059", "099"];
    private static readonly int[] FamilyCumulative = Cumulative(FamilyWeights);

    public static (string Name, bool Male) PersonName(Random r)
    {
        var family = FamilyNames[PickWeighted(r, FamilyCumulative)];
        var male = r.Next(2) == 0;
        var middle = male ? MaleMiddle[r.Next(MaleMiddle.Length)] : FemaleMiddle[r.Next(FemaleMiddle.Length)];
        var given = male ? MaleGiven[r.Next(MaleGiven.Length)] : FemaleGiven[r.Next(FemaleGiven.Length)];
        return ($"{family} {middle} {given}", male);
    }

    public static string BusinessName(Random r) =>
        $"{BusinessKinds[r.Next(BusinessKinds.Length)]} {BusinessTrades[r.Next(BusinessTrades.Length)]} {BusinessWords[r.Next(BusinessWords.Length)]}";

    /// <summary>12-digit citizen ID: province of birth (3), gender/century (1), year of birth (2), 6 random digits.</summary>
    public static string CitizenId(Random r, bool male, int birthYear)
    {
        var province = r.Next(1, 97);
        var centuryGender = (birthYear >= 2000 ? 2 : 0) + (male ? 0 : 1);
        return string.Create(CultureInfo.InvariantCulture, $"{province:000}{centuryGender}{birthYear % 100:00}{r.Next(0, 1_000_000):000000}");
    }

    public static string OldId(Random r) => string.Create(CultureInfo.InvariantCulture, $"{r.Next(10, 39):00}{r.Next(0, 10_000_000):0000000}");

    public static string TaxCode(Random r) => string.Create(CultureInfo.InvariantCulture, $"{r.Next(1, 100):00}{r.Next(0, 100_000_000):00000000}");

    public static string Phone(Random r) => PhonePrefixes[r.Next(PhonePrefixes.Length)] + r.Next(0, 10_000_000).ToString("0000000", CultureInfo.InvariantCulture);

    public static string Email(Random r, string name)
    {
        var parts = Ascii(name).ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var local = r.Next(3) switch
        {
            0 => parts[^1] + string.Concat(parts[..^1].Select(p => p[0])),
            1 => string.Concat(parts[..^1].Select(p => p[0])) + "." + parts[^1],
            _ => parts[^1] + parts[0],
        };
        return $"{local}{r.Next(1, 2000)}@{EmailDomains[r.Next(EmailDomains.Length)]}";
    }

    /// <summary>A portal account ID (TechID), 24 hex digits.</summary>
    public static string TechId(Random r) => Hex(r, 24);

    public static string Hex(Random r, int length)
    {
        Span<byte> bytes = stackalloc byte[(length + 1) / 2];
        r.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes)[..length];
    }

    public static string Ascii(string s)
    {
        var decomposed = s.Replace('đ', 'd').Replace('Đ', 'D').Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(ch) != UnicodeCategory.NonSpacingMark) sb.Append(ch);
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    private static int[] Cumulative(string[] weights)
    {
        var result = new int[weights.Length];
        var sum = 0;
        for (var i = 0; i < weights.Length; i++) result[i] = sum += int.Parse(weights[i], CultureInfo.InvariantCulture);
        return result;
    }

    private static int PickWeighted(Random r, int[] cumulative)
    {
        var roll = r.Next(cumulative[^1]);
        for (var i = 0; i < cumulative.Length; i++)
            if (roll < cumulative[i]) return i;
        return cumulative.Length - 1;
    }
}
