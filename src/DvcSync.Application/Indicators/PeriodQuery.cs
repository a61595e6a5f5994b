using System.Globalization;

namespace DvcSync.Application.Indicators;

/// <summary>A reporting period in Vietnamese calendar days, both ends inclusive, at most 366 days long.</summary>
public sealed record PeriodQuery(DateOnly From, DateOnly To)
{
    public const int MaxDays = 366;

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <returns>The period, or a message that says what to fix.</returns>
    public static (PeriodQuery? Period, string? Problem) Parse(string? from, string? to)
    {
        if (string.IsNullOrEmpty(from)) return (null, "Query parameter 'from' is required (YYYY-MM-DD)");
        if (string.IsNullOrEmpty(to)) return (null, "Query parameter 'to' is required (YYYY-MM-DD)");
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
            return (null, $"Query parameter 'from' = '{Shorten(from)}' is not a date of the form YYYY-MM-DD");
        if (!DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
            return (null, $"Query parameter 'to' = '{Shorten(to)}' is not a date of the form YYYY-MM-DD");
        if (start > end) return (null, $"'from' ({from}) is after 'to' ({to})");
        if (end.DayNumber - start.DayNumber > MaxDays - 1)
            return (null, $"The period from {from} to {to} covers {end.DayNumber - start.DayNumber + 1} days; at most {MaxDays} are allowed");
        return (new PeriodQuery(start, end), null);
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>What a query handler answers: a value, or the reason there is none, in terms the HTTP layer maps.</summary>
public sealed record QueryResult<T>(T? Value, QueryFailure? Failure, string? Detail)
{
    public static QueryResult<T> Ok(T value) => new(value, null, null);
    public static QueryResult<T> NotFound(string detail) => new(default, QueryFailure.NotFound, detail);
    public static QueryResult<T> Invalid(string detail) => new(default, QueryFailure.Invalid, detail);
}

public enum QueryFailure
{
    Invalid,
    NotFound,
}
