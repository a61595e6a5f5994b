using System.Globalization;

namespace DvcSync.Simulators.Hosting;

/// <summary>Date handling shared by both simulators: <c>yyyyMMddHHmmss</c> in Asia/Ho_Chi_Minh (UTC+7).</summary>
public static class SimTime
{
    public static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);
    public const string CompactFormat = "yyyyMMddHHmmss";

    public static string Compact(DateTimeOffset t) =>
        t.ToOffset(VietnamOffset).ToString(CompactFormat, CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset t) =>
        t.ToOffset(VietnamOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a strict <c>yyyyMMddHHmmss</c> value as Vietnamese local time. Every well-formed value is valid, as the
    /// portal takes it: the first seven hours of year 1 (<c>00010101000000</c>, how one-stop systems write "no date"),
    /// which have no UTC instant, read as the earliest one.
    /// </summary>
    public static bool TryParseCompact(string? s, out DateTimeOffset value)
    {
        value = default;
        if (s is null || s.Length != 14) return false;
        if (!DateTime.TryParseExact(s, CompactFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dt))
            return false;
        value = dt.Ticks < VietnamOffset.Ticks ? DateTimeOffset.MinValue : new DateTimeOffset(dt, VietnamOffset);
        return true;
    }

    public static DateOnly LocalDate(DateTimeOffset t) => DateOnly.FromDateTime(t.ToOffset(VietnamOffset).DateTime);

    public static DateTimeOffset StartOfLocalDay(DateOnly d) =>
        new(d.ToDateTime(TimeOnly.MinValue), VietnamOffset);

    public static DateTimeOffset TruncateToSeconds(DateTimeOffset t) =>
        new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);

    public static long UnixSeconds(DateTimeOffset t) => t.ToUnixTimeSeconds();

    public static DateTimeOffset FromUnixSeconds(long s) => DateTimeOffset.FromUnixTimeSeconds(s).ToOffset(VietnamOffset);
}
