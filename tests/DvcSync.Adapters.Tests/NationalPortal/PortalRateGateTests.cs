using System.Diagnostics;
using DvcSync.Infrastructure.NationalPortal;

namespace DvcSync.Adapters.Tests.NationalPortal;

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
        // Off xUnit's synchronisation context, whose few threads would delay the observations, not the grants.
        await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => Task.Run(async () =>
        {
            using var lease = await gate.AcquireAsync(CancellationToken.None);
            lock (grants) grants.Add(clock.Elapsed);
            lease.MarkAnswered();
        })));

        grants.Sort();
        Assert.Equal(25, grants.Count);
        for (var i = limit; i < grants.Count; i++)
            Assert.True(grants[i] - grants[i - limit] >= PortalRateGate.Window, $"grants {i - limit} and {i} are {(grants[i] - grants[i - limit]).TotalMilliseconds} ms apart");
    }

    [Fact]
    public async Task A_slot_is_counted_from_its_send_so_slow_answers_do_not_lower_the_rate()
    {
        // Slots anchored at the answer would make the third grant wait for the 700 ms answer plus a window.
        const int limit = 2;
        var latency = TimeSpan.FromMilliseconds(700);
        var gate = new PortalRateGate(limit);
        var clock = Stopwatch.StartNew();
        var grants = new List<TimeSpan>();
        await Task.WhenAll(Enumerable.Range(0, limit + 1).Select(_ => Task.Run(async () =>
        {
            using var lease = await gate.AcquireAsync(CancellationToken.None);
            lock (grants) grants.Add(clock.Elapsed);
            await Task.Delay(latency);
            lease.MarkAnswered();
        })));

        grants.Sort();
        var gap = grants[limit] - grants[0];
        Assert.True(gap >= PortalRateGate.Window + gate.Margin, $"third grant only {gap.TotalMilliseconds} ms after the first");
        Assert.True(gap < PortalRateGate.Window + latency, $"third grant {gap.TotalMilliseconds} ms after the first: the slot waited for the answer");
    }

    [Fact]
    public async Task A_request_that_leaves_late_holds_its_slot_from_when_it_left()
    {
        // As when the first request of a process waits for its connection: granted now, on the wire 300 ms later.
        var gate = new PortalRateGate(1);
        var clock = Stopwatch.StartNew();
        TimeSpan sent;
        using (var lease = await gate.AcquireAsync(CancellationToken.None))
        {
            await Task.Delay(300);
            sent = clock.Elapsed;
            lease.MarkSent();
            lease.MarkAnswered();
        }
        using var next = await gate.AcquireAsync(CancellationToken.None);
        var gap = clock.Elapsed - sent;
        Assert.True(gap >= PortalRateGate.Window, $"next grant {gap.TotalMilliseconds} ms after the late send");
    }

    [Fact]
    public async Task An_unanswered_request_holds_its_slot_a_window_past_its_end()
    {
        var gate = new PortalRateGate(1);
        var clock = Stopwatch.StartNew();
        using (await gate.AcquireAsync(CancellationToken.None))
            await Task.Delay(300);
        var abandoned = clock.Elapsed;
        using var next = await gate.AcquireAsync(CancellationToken.None);
        Assert.True(clock.Elapsed - abandoned >= PortalRateGate.Window, $"next grant {(clock.Elapsed - abandoned).TotalMilliseconds} ms after the time-out");
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
