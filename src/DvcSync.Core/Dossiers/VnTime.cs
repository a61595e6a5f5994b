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

    /// <summary>
    /// The calendar the project reasons about, in Vietnam days, for data and API parameters alike. Outside it a date
    /// is no date: one-stop systems write "none" as <c>00010101000000</c>, and year 1 cannot even be converted to UTC
    /// (nor year 1600 stored in Azure Tables). No real dossier is older than 1970 or later than 2099.
    /// </summary>
    public static readonly DateOnly EarliestDay = new(1970, 1, 1);

    /// <inheritdoc cref="EarliestDay"/>
    public static readonly DateOnly LatestDay = new(2099, 12, 31);

    /// <summary>The supported range as an operator reads it in an error.</summary>
    public static readonly string SupportedRange =
        $"{EarliestDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} to {LatestDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    public static bool IsSupported(DateOnly day) => day >= EarliestDay && day <= LatestDay;

    /// <summary>Reads a wire date as absent, malformed, well-formed but outside the supported range, or a date. Never throws.</summary>
    public static DateReading Read(string? text)
    {
        if (string.IsNullOrEmpty(text)) return DateReading.Absent;
        if (text.Length != WireFormat.Length
            || !DateTime.TryParseExact(text, WireFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return DateReading.Malformed;
        var day = DateOnly.FromDateTime(local);
        if (day < EarliestDay) return new DateReading(DateReadingKind.OutOfRange, null, After: false);
        if (day > LatestDay) return new DateReading(DateReadingKind.OutOfRange, null, After: true);
        return new DateReading(DateReadingKind.Date, new DateTimeOffset(local, Offset), After: false);
    }

    /// <summary>A well-formed wire date inside the supported range; false for anything else. Never throws.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        var reading = Read(text);
        value = reading.At ?? default;
        return reading.At is not null;
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

public enum DateReadingKind
{
    /// <summary>Missing, null or empty: "none" by the contract.</summary>
    Absent,
    /// <summary>Not a <c>yyyyMMddHHmmss</c> date: a defect of the dossier.</summary>
    Malformed,
    /// <summary>A well-formed date outside <see cref="VnTime.EarliestDay"/>–<see cref="VnTime.LatestDay"/>: present and valid
    /// for the portal, no date for the project's own figures and state.</summary>
    OutOfRange,
    /// <summary>A date the project can count by.</summary>
    Date,
}

/// <summary>How one date field was written, and the date it gives the project, if any.</summary>
/// <param name="At">The instant, for <see cref="DateReadingKind.Date"/> only.</param>
/// <param name="After">For <see cref="DateReadingKind.OutOfRange"/>: later than the supported range, not earlier.</param>
public readonly record struct DateReading(DateReadingKind Kind, DateTimeOffset? At, bool After)
{
    public static readonly DateReading Absent = new(DateReadingKind.Absent, null, false);
    public static readonly DateReading Malformed = new(DateReadingKind.Malformed, null, false);

    /// <summary>Present in the portal's sense: some value was sent.</summary>
    public bool IsPresent => Kind != DateReadingKind.Absent;

    /// <summary>Later than <see cref="VnTime.LatestDay"/>: later than any clock this project will run on.</summary>
    public bool IsBeyondSupportedRange => Kind == DateReadingKind.OutOfRange && After;
}
