using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage.Contract;

public abstract class PipelineStateContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static readonly DateTimeOffset T0 = new(2025, 1, 15, 9, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task The_watermark_only_moves_forward()
    {
        await using var storage = await OpenAsync();
        Assert.Null(await storage.State.GetWatermarkAsync(CancellationToken.None));
        await storage.State.AdvanceWatermarkAsync(T0.AddHours(2), CancellationToken.None);
        await storage.State.AdvanceWatermarkAsync(T0, CancellationToken.None);
        Assert.Equal(T0.AddHours(2), (await storage.State.GetWatermarkAsync(CancellationToken.None))!.ReadUpTo);
    }

    [Fact]
    public async Task Only_one_run_holds_the_lease_until_it_releases_it()
    {
        await using var storage = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => storage.State.TryAcquireReconcileLeaseAsync("run" + i, TimeSpan.FromMinutes(5), CancellationToken.None)));
        Assert.Equal(1, results.Count(r => r));
        var winner = "run" + Array.IndexOf(results, true);
        Assert.False(await storage.State.TryAcquireReconcileLeaseAsync("late", TimeSpan.FromMinutes(5), CancellationToken.None));
        await storage.State.ReleaseReconcileLeaseAsync(winner, CancellationToken.None);
        Assert.True(await storage.State.TryAcquireReconcileLeaseAsync("late", TimeSpan.FromMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task Runs_are_kept_for_health()
    {
        await using var storage = await OpenAsync();
        var run = new ReconcileRun("r1", T0, null, T0.AddDays(-1), T0, 10, 8, 8, 2, 2, null);
        await storage.State.SaveRunAsync(run, CancellationToken.None);
        var (started, finished) = await storage.State.GetRunsAsync(CancellationToken.None);
        Assert.Equal(run, started);
        Assert.Null(finished);

        await storage.State.SaveRunAsync(run with { FinishedAt = T0.AddMinutes(3) }, CancellationToken.None);
        (_, finished) = await storage.State.GetRunsAsync(CancellationToken.None);
        Assert.Equal(T0.AddMinutes(3), finished!.FinishedAt);
    }

    [Fact]
    public async Task The_portals_availability_merges_successes_failures_refusals_and_the_circuit()
    {
        await using var storage = await OpenAsync();
        Assert.Equal(new PortalAvailability(false, null, null, null), await storage.State.GetPortalAvailabilityAsync(CancellationToken.None));

        await storage.State.RecordPortalCallAsync(false, "503", T0, CancellationToken.None);
        await storage.State.RecordPortalRefusalAsync("the portal refuses the requests: check DstCode", T0.AddMinutes(1), CancellationToken.None);
        await storage.State.RecordPortalCircuitAsync(true, T0.AddMinutes(2), CancellationToken.None);
        var failing = await storage.State.GetPortalAvailabilityAsync(CancellationToken.None);
        Assert.True(failing.CircuitOpen);
        Assert.Equal((T0, "503", (DateTimeOffset?)null), (failing.LastFailureAt!.Value, failing.LastFailure, failing.LastSuccessAt));
        Assert.Equal("the portal refuses the requests: check DstCode", failing.Refusal);
        Assert.Equal(T0.AddMinutes(1), failing.RefusedAt);

        await storage.State.RecordPortalCallAsync(true, null, T0.AddMinutes(3), CancellationToken.None);
        await storage.State.RecordPortalCircuitAsync(false, T0.AddMinutes(3), CancellationToken.None);
        var recovered = await storage.State.GetPortalAvailabilityAsync(CancellationToken.None);
        Assert.False(recovered.CircuitOpen);
        Assert.Equal(T0.AddMinutes(3), recovered.LastSuccessAt);
        Assert.Equal(T0, recovered.LastFailureAt); // the last failure is kept for the record
        Assert.Null(recovered.Refusal);
        Assert.Null(recovered.RefusedAt);
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_and_its_old_holder_cannot_release_it()
    {
        var clock = new ManualClock(T0);
        await using var storage = await OpenAsync(clock);
        Assert.True(await storage.State.TryAcquireReconcileLeaseAsync("first", TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.True(await storage.State.TryAcquireReconcileLeaseAsync("first", TimeSpan.FromMinutes(5), CancellationToken.None)); // renewed by its holder
        clock.Now = T0.AddMinutes(6);
        Assert.True(await storage.State.TryAcquireReconcileLeaseAsync("second", TimeSpan.FromMinutes(5), CancellationToken.None));
        await storage.State.ReleaseReconcileLeaseAsync("first", CancellationToken.None);
        Assert.False(await storage.State.TryAcquireReconcileLeaseAsync("third", TimeSpan.FromMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task The_probe_answers_while_the_store_does()
    {
        await using var storage = await OpenAsync();
        Assert.Null(await storage.Probe.CheckAsync(CancellationToken.None));
    }
}

/// <summary>A clock a test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
