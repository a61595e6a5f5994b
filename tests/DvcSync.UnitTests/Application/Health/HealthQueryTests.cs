using DvcSync.Application.Audit;
using DvcSync.Application.Health;
using DvcSync.Application.Telemetry;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
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

    private void OnSchedule() =>
        Pipeline(Run(Now.AddMinutes(-5), Now.AddMinutes(-4)), Run(Now.AddMinutes(-5), Now.AddMinutes(-4)), new ReconcileWatermark(Now.AddMinutes(-5), "w", Now.AddMinutes(-4)));

    private void PortalIs(DvcSync.Core.Ports.PortalAvailability availability) =>
        _f.State.Setup(s => s.GetPortalAvailabilityAsync(It.IsAny<CancellationToken>())).ReturnsAsync(availability);

    [Fact]
    public async Task Unreachable_storage_is_unhealthy_and_nothing_else_is_read()
    {
        _storage.Setup(s => s.CheckAsync(It.IsAny<CancellationToken>())).ReturnsAsync("storage: the table service did not answer");

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Unhealthy, health.Status);
        Assert.Equal(["storage: the table service did not answer"], health.Problems);
        Assert.Null(health.Reconciliation);
        _f.State.Verify(s => s.GetRunsAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_portal_that_refuses_the_requests_as_malformed_is_unhealthy_even_while_runs_finish()
    {
        OnSchedule();
        PortalIs(new DvcSync.Core.Ports.PortalAvailability(false, Now.AddHours(-1), Now.AddMinutes(-1), "refused") { Refusal = "MaDonVi unknown", RefusedAt = Now.AddMinutes(-30) });

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Unhealthy, health.Status);
        var problem = Assert.Single(health.Problems);
        Assert.StartsWith("the national portal refuses this project's requests as malformed since " + VnTime.FormatIso(Now.AddMinutes(-30)) + ": MaDonVi unknown", problem);
        Assert.Equal("MaDonVi unknown", health.Portal!.Refusal);
    }

    [Fact]
    public async Task An_open_circuit_is_degraded_and_says_so()
    {
        OnSchedule();
        PortalIs(new DvcSync.Core.Ports.PortalAvailability(true, Now.AddHours(-1), Now.AddMinutes(-1), "timeout"));

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Degraded, health.Status);
        Assert.Equal(["the national portal is unavailable (circuit open)"], health.Problems);
        Assert.Equal("open", health.Portal!.Circuit);
    }

    [Fact]
    public async Task Poisoned_repairs_and_a_failed_last_run_are_degraded_with_a_problem_each()
    {
        Pipeline(Run(Now.AddMinutes(-5), Now.AddMinutes(-4)) with { Error = "ExternalSystemUnavailableException: provincial" },
            Run(Now.AddMinutes(-5), Now.AddMinutes(-4)), new ReconcileWatermark(Now.AddMinutes(-5), "w", Now.AddMinutes(-4)));
        _f.Queue.Setup(q => q.GetPoisonDepthAsync(It.IsAny<CancellationToken>())).ReturnsAsync(3);

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Degraded, health.Status);
        Assert.Equal(["the last reconciliation failed: ExternalSystemUnavailableException: provincial", "3 repair messages in the poison queue"], health.Problems);
        Assert.Equal(3, health.PoisonCount);
    }

    [Fact]
    public async Task A_stall_stays_unhealthy_when_lesser_problems_come_with_it()
    {
        Pipeline(Run(Now.AddHours(-5), null), null, new ReconcileWatermark(Now.AddHours(-3), "w", Now.AddHours(-2)));
        PortalIs(new DvcSync.Core.Ports.PortalAvailability(true, null, Now, "timeout"));
        _f.Queue.Setup(q => q.GetPoisonDepthAsync(It.IsAny<CancellationToken>())).ReturnsAsync(1);

        var health = await HealthAsync();

        Assert.Equal(HealthQuery.Unhealthy, health.Status);
        Assert.Equal(3, health.Problems.Count);
    }

    [Theory]
    [InlineData("running", true)]
    [InlineData("finished", false)]
    public async Task An_active_audit_that_stopped_on_an_error_is_degraded_a_finished_one_is_not(string status, bool degraded)
    {
        OnSchedule();
        _audits.Setup(a => a.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new AuditJob
        {
            Id = "audit1", From = new DateOnly(2025, 1, 1), To = new DateOnly(2025, 1, 31), Status = status,
            RequestedAt = Now.AddHours(-1), ReadUpTo = Now.AddHours(-1), Error = "the provincial system's paging repeated a page",
        });

        var health = await HealthAsync();

        Assert.Equal(degraded ? HealthQuery.Degraded : HealthQuery.Healthy, health.Status);
        Assert.Equal(degraded ? ["the audit audit1 stopped on an error and will resume: the provincial system's paging repeated a page"] : [], health.Problems);
        Assert.Equal("audit1", health.Audit!.Id);
    }

    [Fact]
    public async Task Freshness_shows_the_last_hours_figures_and_the_oldest_change_still_waiting_without_naming_a_dossier()
    {
        Pipeline(Run(Now.AddSeconds(-20), Now.AddSeconds(-18)), Run(Now.AddSeconds(-20), Now.AddSeconds(-18)), new ReconcileWatermark(Now.AddSeconds(-20), "w", Now.AddSeconds(-18)));
        var window = new FreshnessWindow(_f.Clock);
        window.Confirmed(Now.AddSeconds(-12), Now);
        window.Confirmed(Now.AddSeconds(-40), Now);
        LedgerEntry Waiting(string code, DateTimeOffset? changedAt, DateTimeOffset updatedAt) => new()
        {
            MaHoSo = code, MaDonVi = "000.00.19.H19", PhienBan = 2, State = SyncState.Retrying, ChangedAt = changedAt, UpdatedAt = updatedAt,
        };
        _f.Ledger.Setup(l => l.GetInRepairAsync(It.IsAny<CancellationToken>())).Returns(new[]
        {
            Waiting("000.00.19.H19-250115-00001", Now.AddSeconds(-50), Now.AddSeconds(-5)),
            Waiting("000.00.19.H19-250115-00002", Now.AddSeconds(-30), Now.AddSeconds(-5)),
            // Recorded before change times were kept: waits since its repair was found needed.
            Waiting("000.00.19.H19-250115-00003", null, Now.AddSeconds(-20)),
        }.ToAsyncEnumerable());

        var health = await new HealthQuery(_storage.Object, _f.State.Object, _f.Queue.Object, _audits.Object, _f.Options, _f.Clock, window, _f.Ledger.Object)
            .HandleAsync(CancellationToken.None);

        var freshness = health.Freshness!;
        Assert.Equal(60, freshness.WindowMinutes);
        Assert.Equal(2, freshness.Count);
        Assert.Equal(40, freshness.MaxSeconds!.Value, 3);
        Assert.InRange(freshness.P95Seconds!.Value, 38, 42);
        Assert.Equal(3, freshness.WaitingRepairs);
        Assert.Equal(VnTime.FormatIso(Now.AddSeconds(-50)), freshness.OldestWaitingSince);
        Assert.Equal(50, freshness.OldestWaitingSeconds!.Value, 3);
        Assert.False(freshness.WaitingCountIsPartial);
        Assert.Equal(HealthQuery.Healthy, health.Status);
        var json = System.Text.Json.JsonSerializer.Serialize(health, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        Assert.DoesNotContain("250115-0000", json);
    }

    [Fact]
    public async Task A_host_without_a_freshness_window_leaves_freshness_out()
    {
        Pipeline(Run(Now.AddSeconds(-20), Now.AddSeconds(-18)), Run(Now.AddSeconds(-20), Now.AddSeconds(-18)), null);

        var health = await HealthAsync();

        Assert.Null(health.Freshness);
    }
}
