using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DvcSync.Core.Dossiers;

/// <summary>
/// A dossier as both systems exchange it. The JSON object is kept whole so that fields this project does not
/// know reach the portal untouched; the fields the sync logic reasons about are read once, leniently, and
/// whatever cannot be read becomes a <see cref="DataDefect"/> of this dossier rather than an exception that
/// would stop a batch.
/// </summary>
public sealed class Dossier
{
    /// <summary>Fields that carry a citizen's personal data (dossier.md). Never logged, stored in the ledger or answered.</summary>
    public static readonly IReadOnlySet<string> PersonalDataFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "ChuHoSo", "SoGiayToChuHoSo", "MaDoiTuong", "DinhDanhCHS", "SoDienThoai", "Email",
    };

    private Dossier(JsonObject fields, IReadOnlyList<DataDefect> defects)
    {
        Fields = fields;
        Defects = defects;
    }

    public JsonObject Fields { get; }
    public IReadOnlyList<DataDefect> Defects { get; }

    public string MaHoSo { get; private init; } = "";
    public string MaDonVi { get; private init; } = "";
    public string MaTTHC { get; private init; } = "";
    public TrangThaiHoSo? TrangThaiHoSo { get; private init; }
    public int? KenhThucHien { get; private init; }

    /// <summary>
    /// How each date the project reads was written. The portal checks that a date is present and well formed; the
    /// project counts by the date, and a well-formed one outside <see cref="VnTime.EarliestDay"/>–<see cref="VnTime.LatestDay"/>
    /// (<c>00010101000000</c> is how several one-stop systems write "none") gives it none.
    /// </summary>
    public DossierDates Dates { get; private init; } = DossierDates.None;

    public DateTimeOffset? NgayTiepNhan => Dates.NgayTiepNhan.At;
    public DateTimeOffset? NgayHenTra => Dates.NgayHenTra.At;
    public DateTimeOffset? NgayKetThucXuLy => Dates.NgayKetThucXuLy.At;

    /// <summary>The Vietnamese calendar day the dossier counts for in the sync-rate indicator, if it has one.</summary>
    public DateOnly? ReceivedDay => NgayTiepNhan is { } at ? VnTime.Day(at) : null;

    public static Dossier FromJson(JsonObject fields)
    {
        var defects = new List<DataDefect>();
        var maHoSo = ReadCode(fields, "MaHoSo", defects) ?? "";
        var maDonVi = ReadCode(fields, "MaDonVi", defects) ?? "";
        var maTthc = ReadCode(fields, "MaTTHC", defects) ?? "";

        TrangThaiHoSo? status = null;
        if (ReadInt(fields, "TrangThaiHoSo", defects) is { } code)
        {
            if (TrangThaiHoSoRules.IsDefined(code)) status = (TrangThaiHoSo)code;
            else defects.Add(new DataDefect("TrangThaiHoSo", $"TrangThaiHoSo {code} is not a status code 1-10"));
        }

        var kenh = ReadInt(fields, "KenhThucHien", defects);
        if (kenh is not null and not (1 or 2 or 3))
            defects.Add(new DataDefect("KenhThucHien", $"KenhThucHien {kenh} is not a channel code 1-3"));

        return new Dossier(fields, defects)
        {
            MaHoSo = maHoSo,
            MaDonVi = maDonVi,
            MaTTHC = maTthc,
            TrangThaiHoSo = status,
            KenhThucHien = kenh,
            Dates = new DossierDates(
                ReadDate(fields, "NgayTiepNhan", defects),
                ReadDate(fields, "NgayHenTra", defects),
                ReadDate(fields, "NgayKetThucXuLy", defects)),
        };
    }

    /// <summary>Reads a code the contract sends as a string but a client must also accept as a number.</summary>
    public static string? ReadCode(JsonObject fields, string name, List<DataDefect>? defects = null)
    {
        if (!fields.TryGetPropertyValue(name, out var node) || node is null) return null;
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    var text = value.GetValue<string>().Trim();
                    return text.Length == 0 ? null : text;
                case JsonValueKind.Number:
                    return value.ToJsonString();
            }
        }
        defects?.Add(new DataDefect(name, $"{name} is not a string or a number"));
        return null;
    }

    private static int? ReadInt(JsonObject fields, string name, List<DataDefect> defects)
    {
        var text = ReadCode(fields, name, defects);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) return number;
        defects.Add(new DataDefect(name, $"{name} is not a number ({Shape(text)})"));
        return null;
    }

    /// <summary>
    /// Reads a date field as written. Only a malformed value is a defect: a well-formed date outside the supported
    /// range is how a source writes "none", and the portal accepts it as it is.
    /// </summary>
    public static DateReading ReadDate(JsonObject fields, string name, List<DataDefect> defects)
    {
        var before = defects.Count;
        var text = ReadCode(fields, name, defects);
        // A value of the wrong JSON kind (an object, say) was sent, so it is present, but it is no date.
        if (text is null) return defects.Count > before ? DateReading.Malformed : DateReading.Absent;
        var reading = VnTime.Read(text);
        if (reading.Kind == DateReadingKind.Malformed)
            defects.Add(new DataDefect(name, $"{name} is not a valid {VnTime.WireFormat} date ({Shape(text)})"));
        return reading;
    }

    /// <summary>
    /// Describes a bad value without repeating it: a misplaced field can hold an ID number or a name, and defects
    /// reach logs and the ledger. The shape (length, kinds of characters) is enough to tell "20250115" from "2025-13-45".
    /// </summary>
    public static string Shape(string text)
    {
        var pattern = new string(text.Take(40).Select(c => char.IsDigit(c) ? '9' : char.IsLetter(c) ? 'a' : c).ToArray());
        return $"{text.Length} characters, shaped '{pattern}'";
    }
}

/// <summary>How the dates the project reasons about were written.</summary>
public sealed record DossierDates(DateReading NgayTiepNhan, DateReading NgayHenTra, DateReading NgayKetThucXuLy)
{
    public static readonly DossierDates None = new(DateReading.Absent, DateReading.Absent, DateReading.Absent);
}

/// <summary>Something in a dossier that cannot be read as the contract says. Names the field, never its owner.</summary>
public sealed record DataDefect(string Field, string Description);
