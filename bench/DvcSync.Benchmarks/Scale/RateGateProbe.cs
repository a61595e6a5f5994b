using System.Diagnostics;
using DvcSync.Infrastructure.NationalPortal;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// The client's rate gate on its own, without a portal, storage or pipeline: many callers each holding a slot for the
/// portal's latency, as look-ups do. What it grants is the most any pipeline above it can send.
/// </summary>
internal static class RateGateProbe
{
    public static async Task<double> GrantsPerSecondAsync(int limit, TimeSpan latency, int callers, TimeSpan duration)
    {
        var gate = new PortalRateGate(limit);
        long grants = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                using var lease = await gate.AcquireAsync(CancellationToken.None);
                Interlocked.Increment(ref grants);
                await Task.Delay(latency);
                lease.MarkAnswered();
            }
        }));
        return grants / clock.Elapsed.TotalSeconds;
    }

    /// <summary>How late <c>Task.Delay</c> of a few milliseconds wakes on this machine, median, in milliseconds.</summary>
    public static async Task<double> TimerLatenessMsAsync(TimeSpan delay)
    {
        var late = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var watch = Stopwatch.StartNew();
            await Task.Delay(delay);
            late.Add(watch.Elapsed.TotalMilliseconds - delay.TotalMilliseconds);
        }
        late.Sort();
        return late[late.Count / 2];
    }
}
