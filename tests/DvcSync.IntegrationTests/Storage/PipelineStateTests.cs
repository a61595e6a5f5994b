using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage;

[Collection(AzuriteCollection.Name)]
public class PipelineStateTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 15, 9, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task The_watermark_only_moves_forward()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        Assert.Null(await storage.State.GetWatermarkAsync(CancellationToken.None));
        await storage.State.AdvanceWatermarkAsync(T0.AddHours(2), CancellationToken.None);
        await storage.State.AdvanceWatermarkAsync(T0, CancellationToken.None);
        Assert.Equal(T0.AddHours(2), (await storage.State.GetWatermarkAsync(CancellationToken.None))!.ReadUpTo);
    }

    [Fact]
    public async Task Only_one_run_holds_the_lease_until_it_releases_it()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
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
        await using var storage = await TestStorage.CreateAsync(azurite);
        var run = new ReconcileRun("r1", T0, null, T0.AddDays(-1), T0, 10, 8, 8, 2, 2, null);
        await storage.State.SaveRunAsync(run, CancellationToken.None);
        var (started, finished) = await storage.State.GetRunsAsync(CancellationToken.None);
        Assert.Equal(run, started);
        Assert.Null(finished);

        await storage.State.SaveRunAsync(run with { FinishedAt = T0.AddMinutes(3) }, CancellationToken.None);
        (_, finished) = await storage.State.GetRunsAsync(CancellationToken.None);
        Assert.Equal(T0.AddMinutes(3), finished!.FinishedAt);
    }
}
