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
    public DateTimeOffset? NgayTiepNhan { get; private init; }
    public DateTimeOffset? NgayHenTra { get; private init; }
    public DateTimeOffset? NgayKetThucXuLy { get; private init; }

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
            NgayTiepNhan = ReadDate(fields, "NgayTiepNhan", defects),
            NgayHenTra = ReadDate(fields, "NgayHenTra", defects),
            NgayKetThucXuLy = ReadDate(fields, "NgayKetThucXuLy", defects),
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

    private static DateTimeOffset? ReadDate(JsonObject fields, string name, List<DataDefect> defects)
    {
        var text = ReadCode(fields, name, defects);
        if (text is null) return null;
        if (VnTime.TryParse(text, out var value)) return value;
        defects.Add(new DataDefect(name, $"{name} is not a valid {VnTime.WireFormat} date ({Shape(text)})"));
        return null;
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

/// <summary>Something in a dossier that cannot be read as the contract says. Names the field, never its owner.</summary>
public sealed record DataDefect(string Field, string Description);
