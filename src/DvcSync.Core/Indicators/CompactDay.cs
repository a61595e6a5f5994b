using System.Globalization;

namespace DvcSync.Core.Indicators;

/// <summary>A day as <c>yyyyMMdd</c>: the form scorecard facts and counter names store, short and sortable.</summary>
internal static class CompactDay
{
    private const string Pattern = "yyyyMMdd";

    public static string Format(DateOnly day) => day.ToString(Pattern, CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
