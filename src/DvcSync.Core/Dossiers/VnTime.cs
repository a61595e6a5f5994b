using System.Globalization;

namespace DvcSync.Core.Dossiers;

/// <summary>
/// Both systems write local time of Asia/Ho_Chi_Minh as <c>yyyyMMddHHmmss</c> with no offset. Vietnam has kept
/// UTC+7 without daylight saving since 1975, so a fixed offset is exact and needs no time-zone database
/// (which a trimmed container may lack).
/// </summary>
public static class VnTime
{
    public const string WireFormat = "yyyyMMddHHmmss";
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrEmpty(text) || text.Length != WireFormat.Length) return false;
        if (!DateTime.TryParseExact(text, WireFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
        value = new DateTimeOffset(local, Offset);
        return true;
    }

    public static string Format(DateTimeOffset value) =>
        value.ToOffset(Offset).ToString(WireFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ToVn(DateTimeOffset value) => value.ToOffset(Offset);

    /// <summary>The calendar day in Vietnam that an instant falls on: the unit every indicator counts by.</summary>
    public static DateOnly Day(DateTimeOffset value) => DateOnly.FromDateTime(value.ToOffset(Offset).DateTime);

    public static DateTimeOffset StartOfDay(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    public static string FormatIso(DateTimeOffset value) =>
        value.ToOffset(Offset).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
}
