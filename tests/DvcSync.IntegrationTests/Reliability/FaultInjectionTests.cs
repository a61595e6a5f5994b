using System.Diagnostics;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators.Faults;
using Xunit.Abstractions;
using static DvcSync.IntegrationTests.Reliability.ReliabilityScenario;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>
/// The pipeline against a hostile portal: real simulators with faults switched on, real Azurite, the standalone
/// host's own queue poller doing the repairs. Each scenario must converge and prints its figures.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FaultInjectionTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task Thirty_percent_transient_failures_with_429s_and_session_expiry()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, ReliabilityScenario.Simulators(seed: 301), ReliabilityScenario.Settings());
        env.Simulators.PortalFaults.Update(f => f with { ServerErrorRate = 0.12, TooManyRequestsRate = 0.10, SystemErrorRate = 0.08, RetryAfterSeconds = 1 });
        env.Simulators.ProvincialFaults.Update(f => f with { ServerErrorRate = 0.10 });
        var clock = Stopwatch.StartNew();

        var (_, runs) = await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(6));
        env.Simulators.Portal.ExpireAllSessions();
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(6), sweepEvery: TimeSpan.FromSeconds(30));

        ReliabilityScenario.Print(output, ReliabilityScenario.Figures("30% transient", env, clock, runs));
        Assert.True(env.Simulators.PortalFaults.Injected(FaultKind.TooManyRequests) > 0);
        Assert.True(env.Simulators.PortalFaults.Injected(FaultKind.SystemError) > 0);
        await ReliabilityScenario.AssertConvergedAsync(env);
    }

    [Fact]
    public async Task A_portal_outage_in_the_middle_of_a_run_opens_the_circuit_and_the_pipeline_resumes_on_its_own()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, ReliabilityScenario.Simulators(seed: 302), ReliabilityScenario.Settings());
        var state = env.App.Services.GetService(typeof(IPipelineState)) as IPipelineState ?? throw new InvalidOperationException();
        var clock = Stopwatch.StartNew();

        // The outage starts once the run is well under way, and lasts long enough for many breaks and probes.
        var outage = TimeSpan.FromSeconds(12);
        var reconcile = env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(6));
        await WaitUntilAsync(() => Task.FromResult(env.Simulators.Portal.Counters.Calls("TraCuuHoSo") >= 120), "120 look-ups before the outage");
        env.Simulators.PortalFaults.StartOutage(outage);
        await WaitUntilAsync(async () => (await state.GetPortalAvailabilityAsync(CancellationToken.None)).CircuitOpen, "the circuit to open and show in health");
        using (var health = await env.Http.SendAsync(env.Get("/api/health")))
            Assert.Contains("\"circuit\":\"open\"", await health.Content.ReadAsStringAsync());

        var (_, runs) = await reconcile;
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(6), sweepEvery: TimeSpan.FromSeconds(30));
        await WaitUntilAsync(async () => !(await state.GetPortalAvailabilityAsync(CancellationToken.None)).CircuitOpen, "the circuit to close again");

        ReliabilityScenario.Print(output, ReliabilityScenario.Figures($"outage of {outage.TotalSeconds} s", env, clock, runs));
        Assert.True(env.Simulators.PortalFaults.Injected(FaultKind.Outage) > 0);
        // While open, the circuit sends nothing: the outage costs a handful of probes, not thousands of calls.
        Assert.InRange(env.Simulators.PortalFaults.Injected(FaultKind.Outage), 1, 200);
        await ReliabilityScenario.AssertConvergedAsync(env);
    }

    [Fact]
    public async Task Successes_hidden_by_time_outs_and_duplicate_concurrent_deliveries_end_consistent()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, ReliabilityScenario.Simulators(seed: 303), ReliabilityScenario.Settings());
        // One answer in six never arrives although the portal applied the write.
        env.Simulators.PortalFaults.Update(f => f with { HangRate = 0.15, HangAfterProcessing = true, HangDuration = TimeSpan.FromSeconds(5) });
        var clock = Stopwatch.StartNew();

        var (_, runs) = await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(6));
        // Every divergent dossier gets two more messages at once: duplicates, handled concurrently by the poller.
        foreach (var entry in env.Simulators.Truth.Entries.Where(e => !e.PortalCurrentAtStart))
            for (var copy = 0; copy < 2; copy++)
                await env.Queue.EnqueueAsync(new RepairRequest(entry.MaHoSo, entry.MaDonVi, 0, 0, "duplicate"), TimeSpan.Zero, CancellationToken.None);
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(6), sweepEvery: TimeSpan.FromSeconds(30));

        ReliabilityScenario.Print(output, ReliabilityScenario.Figures("hidden successes + duplicates", env, clock, runs));
        Assert.True(env.Simulators.PortalFaults.Injected(FaultKind.Hang) > 0);
        await ReliabilityScenario.AssertConvergedAsync(env);
    }
}
