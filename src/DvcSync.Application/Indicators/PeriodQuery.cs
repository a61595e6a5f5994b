using System.Globalization;
using DvcSync.Core.Dossiers;

namespace DvcSync.Application.Indicators;

/// <summary>A reporting period in Vietnamese calendar days, both ends inclusive, at most 366 days long.</summary>
public sealed record PeriodQuery(DateOnly From, DateOnly To)
{
    public const int MaxDays = 366;

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <returns>The period, or a message that says what to fix. A bad value is described by its shape, never repeated.</returns>
    public static (PeriodQuery? Period, string? Problem) Parse(string? from, string? to)
    {
        if (string.IsNullOrEmpty(from)) return (null, "Query parameter 'from' is required (YYYY-MM-DD)");
        if (string.IsNullOrEmpty(to)) return (null, "Query parameter 'to' is required (YYYY-MM-DD)");
        if (!TryDay("from", from, out var start, out var problem) || !TryDay("to", to, out var end, out problem)) return (null, problem);
        if (start > end) return (null, $"'from' ({Show(start)}) is after 'to' ({Show(end)})");
        if (end.DayNumber - start.DayNumber > MaxDays - 1)
            return (null, $"The period from {Show(start)} to {Show(end)} covers {end.DayNumber - start.DayNumber + 1} days; at most {MaxDays} are allowed");
        return (new PeriodQuery(start, end), null);
    }

    private static bool TryDay(string name, string text, out DateOnly day, out string? problem)
    {
        problem = !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
            ? $"Query parameter '{name}' ({Dossier.Shape(text)}) is not a date of the form YYYY-MM-DD"
            : !VnTime.IsSupported(day)
                ? $"Query parameter '{name}' is outside the supported dates, {VnTime.SupportedRange}"
                : null;
        return problem is null;
    }

    private static string Show(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
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
