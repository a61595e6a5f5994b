using System.Globalization;

namespace DvcSync.Core.Indicators;

/// <summary>A day as <c>yyyyMMdd</c>: the form scorecard facts and counter names store, short and sortable.</summary>
internal static class CompactDay
{
    private const string Pattern = "yyyyMMdd";

    public static string Format(DateOnly day) => day.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>The month of a day as <c>yyyyMM</c>: six digits, so a name never reads as both a day and a month.</summary>
    public static string FormatMonth(DateOnly day) => day.ToString("yyyyMM", CultureInfo.InvariantCulture);

    /// <summary>Six ASCII digits naming a real month, parsed to its first day.</summary>
    public static bool TryParseMonth(ReadOnlySpan<char> text, out DateOnly month)
    {
        month = default;
        if (text.Length != 6) return false;
        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        int year = value / 100, number = value % 100;
        if (year < 1 || number is < 1 or > 12) return false;
        month = new DateOnly(year, number, 1);
        return true;
    }

    /// <summary>
    /// Accepts what <c>DateOnly.TryParseExact(text, "yyyyMMdd", …)</c> accepts — eight ASCII digits naming a real day —
    /// by hand: the scorecard parses every day-bearing counter name of every agency on each query, and the culture-aware
    /// parser was most of that time.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateOnly day)
    {
        day = default;
        if (text.Length != Pattern.Length) return false;
        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        int year = value / 10000, month = value / 100 % 100, date = value % 100;
        if (year < 1 || month is < 1 or > 12 || date < 1 || date > DateTime.DaysInMonth(year, month)) return false;
        day = new DateOnly(year, month, date);
        return true;
    }
}
