using Microsoft.AspNetCore.Http;

namespace DvcSync.Simulators.Faults;

/// <summary>Shared pieces of the fault handling of both servers.</summary>
internal static class FaultPipeline
{
    /// <summary>A wall-clock delay that ends early (throwing) when the client goes away or the host stops.</summary>
    public static Task DelayAsync(TimeSpan delay, CancellationToken ct) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, ct) : Task.CompletedTask;

    public static void SetRetryAfter(HttpResponse response, int seconds) =>
        response.Headers.RetryAfter = Math.Max(0, seconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool IsControlPath(PathString path) => path.StartsWithSegments("/_sim", StringComparison.OrdinalIgnoreCase);
}
