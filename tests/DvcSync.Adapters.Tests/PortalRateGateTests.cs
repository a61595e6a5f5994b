using System.Diagnostics;
using DvcSync.Infrastructure.NationalPortal;

namespace DvcSync.Adapters.Tests;

/// <summary>The gate on its own, with the real clock: grants never exceed the limit in any one-second window.</summary>
public sealed class PortalRateGateTests
{
    [Fact]
    public async Task No_one_second_window_gets_more_grants_than_the_limit()
    {
        const int limit = 10;
        var gate = new PortalRateGate(limit);
        var clock = Stopwatch.StartNew();
        var grants = new List<TimeSpan>();
        await Task.WhenAll(Enumerable.Range(0, 25).Select(async _ =>
        {
            using var lease = await gate.AcquireAsync(CancellationToken.None);
            lock (grants) grants.Add(clock.Elapsed);
            lease.MarkAnswered();
        }));

        grants.Sort();
        Assert.Equal(25, grants.Count);
        for (var i = limit; i < grants.Count; i++)
            Assert.True(grants[i] - grants[i - limit] >= PortalRateGate.Window, $"grants {i - limit} and {i} are {(grants[i] - grants[i - limit]).TotalMilliseconds} ms apart");
        // And it does not crawl: 25 grants at 10 per window need two windows, not much more.
        Assert.True(grants[^1] < TimeSpan.FromSeconds(3.5), $"last grant after {grants[^1]}");
    }

    [Fact]
    public async Task A_pause_holds_every_caller_until_it_ends()
    {
        var gate = new PortalRateGate(100);
        gate.PauseFor(TimeSpan.FromMilliseconds(400));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            using var lease = await gate.AcquireAsync(CancellationToken.None);
        }));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(390), $"callers went through after {clock.Elapsed}");
    }

    [Fact]
    public async Task A_full_queue_fails_fast_and_cancellation_is_honoured()
    {
        var gate = new PortalRateGate(1, queueLimit: 2);
        using var first = await gate.AcquireAsync(CancellationToken.None);
        using var cts = new CancellationTokenSource();
        var second = gate.AcquireAsync(cts.Token).AsTask();
        var third = gate.AcquireAsync(cts.Token).AsTask();
        await Assert.ThrowsAsync<PortalRateLimitQueueFullException>(() => gate.AcquireAsync(CancellationToken.None).AsTask());
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third);
        Assert.Equal(0, gate.Waiting);
    }
}
