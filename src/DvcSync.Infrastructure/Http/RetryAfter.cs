using System.Net.Http.Headers;

namespace DvcSync.Infrastructure.Http;

/// <summary>The one reading of an external system's <c>Retry-After</c>.</summary>
internal static class RetryAfter
{
    /// <summary>How long the answer asks to wait, in seconds or until a date (never less than zero); null when it does not say.</summary>
    public static TimeSpan? From(HttpResponseHeaders? headers, TimeProvider time)
    {
        var header = headers?.RetryAfter;
        if (header is null) return null;
        if (header.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }
}
