using DvcSync.Application.Audit;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Api;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Standalone.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>
/// A provincial system whose paging cannot be trusted — a cursor that never advances, pages over their limit — on
/// the simulators and Azurite: the reconciliation and the audit still finish their runs, say what went wrong, and
/// move on from where they got.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UntrustworthyPagesTests(AzuriteFixture azurite)
{
    private static SimulatorOptions Province(int seed) => new()
    {
        Seed = seed,
        DossierCount = 150,
        ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
        PortalRateLimitPerSecond = 300,
    };

    [Fact]
    public async Task A_reconciliation_finishes_despite_a_repeating_cursor_says_so_in_health_and_the_next_runs_move_on()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 61), new Dictionary<string, string?> { ["Sync:PageSize"] = "10" });
        var state = env.App.Services.GetRequiredService<IPipelineState>();
        env.Simulators.ProvincialFaults.Update(f => f with { RepeatCursor = true });

        var first = await env.ReconcileAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.NotNull(first!.FinishedAt);
        Assert.Contains("cursor it had given before", first.Error);
        Assert.Equal(10, first.DossiersRead); // the first page; the second, whose cursor repeats the first's, is left for the next run
        var stoppedAt = (await state.GetWatermarkAsync(CancellationToken.None))!.ReadUpTo;
        Assert.True(stoppedAt < first.WindowTo, "the watermark stays at the last page read");

        var health = await ApiAnswer.GetAsync(env.Http, "/api/health");
        Assert.Equal("degraded", health.Json["status"]!.GetValue<string>());
        Assert.Contains(health.Json["problems"]!.AsArray(), p => p!.GetValue<string>().Contains("cursor it had given before"));

        // Each run resumes from the checkpoint, so the province keeps moving while the fault lasts...
        var second = await env.ReconcileAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Contains("cursor it had given before", second!.Error);
        Assert.True((await state.GetWatermarkAsync(CancellationToken.None))!.ReadUpTo > stoppedAt, "the second run read further");

        // ...and once the provincial system pages properly again, a run reads to the end of its window.
        env.Simulators.ProvincialFaults.Update(f => f with { RepeatCursor = false });
        var third = await env.ReconcileAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Null(third!.Error);
        Assert.Equal(third.WindowTo, (await state.GetWatermarkAsync(CancellationToken.None))!.ReadUpTo);
        foreach (var entry in env.Simulators.Truth.Entries)
            Assert.NotNull(await env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
        Assert.Equal("healthy", (await ApiAnswer.GetAsync(env.Http, "/api/health")).Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pages_over_their_limit_are_checked_whole()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 62), new Dictionary<string, string?> { ["Sync:PageSize"] = "10" });
        env.Simulators.ProvincialFaults.Update(f => f with { ExtraItemsPerPage = 15 });

        var run = await env.ReconcileAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Null(run!.Error);
        Assert.Equal(env.Simulators.Truth.Entries.Count, run.DossiersRead);
        foreach (var entry in env.Simulators.Truth.Entries)
            Assert.NotNull(await env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
    }

    [Fact]
    public async Task An_audit_stops_at_a_repeating_cursor_stays_active_with_the_problem_and_finishes_once_paging_works()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 63), new Dictionary<string, string?> { ["Sync:PageSize"] = "10" });
        // This test runs the audit's slices itself.
        await env.App.Services.GetServices<IHostedService>().OfType<AuditRunner>().Single().StopAsync(CancellationToken.None);
        var audits = env.App.Services.GetRequiredService<IAuditHandler>();
        await audits.RequestAsync(new AuditRequest(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), null), CancellationToken.None);
        env.Simulators.ProvincialFaults.Update(f => f with { RepeatCursor = true });

        var stopped = await audits.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(AuditStatus.Running, stopped!.Status);
        Assert.Contains("cursor it had given before", stopped.Error);
        Assert.Equal(1, stopped.PagesDone);
        var health = await ApiAnswer.GetAsync(env.Http, "/api/health");
        Assert.Equal("degraded", health.Json["status"]!.GetValue<string>());

        env.Simulators.ProvincialFaults.Update(f => f with { RepeatCursor = false });
        var finished = await audits.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(AuditStatus.Finished, finished!.Status);
        Assert.Null(finished.Error);
        Assert.Equal(env.Simulators.Truth.Entries.Count, finished.Read);
    }
}
