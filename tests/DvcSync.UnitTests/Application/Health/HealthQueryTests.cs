using DvcSync.Application.Audit;
using DvcSync.Application.Health;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using Moq;

namespace DvcSync.UnitTests.Application.Health;

/// <summary>How /api/health reads the reconciliation: finished runs, and runs that move the watermark without finishing.</summary>
public class HealthQueryTests
{
    private static readonly DateTimeOffset Now = HandlerFixture.Now;
    private readonly HandlerFixture _f = new();
    private readonly Mock<IStorageProbe> _storage = new();
    private readonly Mock<IAuditStore> _audits = new();

    public HealthQueryTests()
    {
        _storage.Setup(s => s.CheckAsync(It.IsAny<CancellationToken>())).ReturnsAsync((string?)null);
        _audits.Setup(a => a.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync((AuditJob?)null);
        _f.Queue.Setup(q => q.GetApproximateDepthAsync(It.IsAny<CancellationToken>())).ReturnsAsync(0);
        _f.Queue.Setup(q => q.GetPoisonDepthAsync(It.IsAny<CancellationToken>())).ReturnsAsync(0);
        _f.State.Setup(s => s.GetPortalAvailabilityAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new DvcSync.Core.Ports.PortalAvailability(false, Now, null, null));
    }

    private void Pipeline(ReconcileRun? lastStarted, ReconcileRun? lastFinished, ReconcileWatermark? watermark)
    {
        _f.State.Setup(s => s.GetRunsAsync(It.IsAny<CancellationToken>())).ReturnsAsync((lastStarted, lastFinished));
        _f.State.Setup(s => s.GetWatermarkAsync(It.IsAny<CancellationToken>())).ReturnsAsync(watermark);
    }

    private static ReconcileRun Run(DateTimeOffset startedAt, DateTimeOffset? finishedAt) =>
        new("run", startedAt, finishedAt, startedAt.AddMinutes(-10), startedAt, 500, 500, 500, 3, 3, null);

    private Task<HealthReport> HealthAsync() =>
        new HealthQuery(_storage.Object, _f.State.Object, _f.Queue.Object, _audits.Object, _f.Options, _f.Clock).HandleAsync(CancellationToken.None);

    [Fact]
    public async Task A_long_first_run_that_keeps_moving_the_watermark_is_catching_up_not_dead()
    {
        var readUpTo = new DateTimeOffset(2024, 6, 1, 8, 0, 0, VnTime.Offset);
        Pipeline(Run(Now.AddHours(-5), null), null, new ReconcileWatermark(readUpTo, "w", Now.AddMinutes(-2)));

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Degraded, health.Status);
        Assert.True(health.Reconciliation!.CatchingUp);
        Assert.Equal(VnTime.FormatIso(readUpTo), health.Reconciliation.ReadUpTo);
        var problem = Assert.Single(health.Problems);
        Assert.StartsWith("catching up: the reconciliation has read the provincial changes up to " + VnTime.FormatIso(readUpTo), problem);
        Assert.EndsWith("no run has finished its window yet", problem);
    }

    [Fact]
    public async Task Runs_that_stopped_finishing_but_still_move_on_are_catching_up_too()
    {
        Pipeline(Run(Now.AddMinutes(-4), null), Run(Now.AddDays(-2), Now.AddDays(-2)), new ReconcileWatermark(Now.AddDays(-1), "w", Now.AddMinutes(-1)));

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Degraded, health.Status);
        Assert.True(health.Reconciliation!.CatchingUp);
        Assert.Contains("no run has finished its window since " + VnTime.FormatIso(Now.AddDays(-2)), Assert.Single(health.Problems));
    }

    [Fact]
    public async Task Neither_a_finished_run_nor_a_moved_watermark_within_the_stall_limit_is_unhealthy()
    {
        Pipeline(Run(Now.AddHours(-5), null), null, new ReconcileWatermark(Now.AddHours(-3), "w", Now.AddHours(-2)));

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Unhealthy, health.Status);
        Assert.False(health.Reconciliation!.CatchingUp);
        Assert.StartsWith("no reconciliation has finished or moved its watermark since " + VnTime.FormatIso(Now.AddHours(-2)), Assert.Single(health.Problems));
    }

    [Fact]
    public async Task Runs_that_finish_on_schedule_are_healthy_and_say_how_far_they_read()
    {
        Pipeline(Run(Now.AddMinutes(-5), Now.AddMinutes(-4)), Run(Now.AddMinutes(-5), Now.AddMinutes(-4)), new ReconcileWatermark(Now.AddMinutes(-5), "w", Now.AddMinutes(-4)));

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Healthy, health.Status);
        Assert.Empty(health.Problems);
        Assert.False(health.Reconciliation!.CatchingUp);
        Assert.Equal(VnTime.FormatIso(Now.AddMinutes(-5)), health.Reconciliation.ReadUpTo);
    }

    [Fact]
    public async Task A_fresh_deployment_is_judged_from_its_first_start()
    {
        Pipeline(Run(Now.AddHours(-2), null), null, null);

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Unhealthy, health.Status);
        Assert.Null(health.Reconciliation!.ReadUpTo);
    }
}
