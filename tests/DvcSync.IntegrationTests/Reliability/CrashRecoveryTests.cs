using System.Diagnostics;
using System.Net;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Storage.Contract;
using DvcSync.Simulators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using Xunit.Abstractions;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>A host killed (SIGKILL) in the middle of its work loses nothing: a new process finds and finishes it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CrashRecoveryTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task A_host_killed_mid_batch_and_restarted_loses_no_dossier()
    {
        await using var simulators = await SimulatorHost.StartAsync(ReliabilityScenario.Simulators(seed: 304));
        var prefix = TestStorage.NewPrefix();
        var environment = StandaloneProcess.Environment(azurite, simulators, prefix, ReliabilityScenario.Ceiling);
        await KillRestartAndConvergeAsync(simulators, environment, async () => await StoreUnderTest.AzureAsync(azurite, prefix), "Azure Storage account devstoreaccount1");
    }

    [Fact]
    public async Task On_the_embedded_store_a_host_killed_mid_batch_and_restarted_on_the_same_file_loses_no_dossier()
    {
        await using var simulators = await SimulatorHost.StartAsync(ReliabilityScenario.Simulators(seed: 305));
        var folder = Path.Combine(Path.GetTempPath(), "dvcsync-crash-" + Guid.NewGuid().ToString("N")[..10]);
        var path = Path.Combine(folder, "data", "dvcsync.db");
        var environment = StandaloneProcess.Environment(azurite, simulators, TestStorage.NewPrefix(), ReliabilityScenario.Ceiling);
        environment.Remove("AzureWebJobsStorage");
        environment["Storage__SqlitePath"] = path;
        try
        {
            await KillRestartAndConvergeAsync(simulators, environment, () => StoreUnderTest.SqliteAtAsync(path), $"embedded SQLite store at {path}");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task KillRestartAndConvergeAsync(SimulatorHost simulators, Dictionary<string, string> environment, Func<Task<StoreUnderTest>> openStore, string storeNamed)
    {
        foreach (var (key, value) in ReliabilityScenario.Settings()) environment[key.Replace(":", "__")] = value!;
        environment["Sync__ReconcileOnStartup"] = "true";
        environment["Sync__ReconcileSchedule"] = "*/5 * * * * *";
        environment["Sync__ReconcileLeaseSeconds"] = "5";
        // A crashed host's messages come back after this, and the sweep re-queues what was lost after the grace.
        environment["Sync__RepairVisibilityTimeoutSeconds"] = "10";
        environment["Sync__LostRepairGraceMinutes"] = "0.25";
        var clock = Stopwatch.StartNew();

        await using (var first = StandaloneProcess.Start(environment))
        {
            // Killed while look-ups, ledger writes and repairs are all in flight.
            await first.WaitUntilAsync(() => Task.FromResult(simulators.Portal.Counters.Calls("TraCuuHoSo") >= 150 && simulators.Portal.Counters.Calls("DongBoHoSoMC") >= 5),
                "the first host to be busy");
            await first.KillAsync();
            Assert.Contains("Store: " + storeNamed, first.Output().First(line => line.Contains("Store: ", StringComparison.Ordinal)));
        }
        var lookupsBeforeCrash = simulators.Portal.Counters.Calls("TraCuuHoSo");

        // The rate gate is per process and a new process cannot know what the dead one sent in its last second, so
        // the restart comes once the portal has seen a full quiet second — as any real restart takes longer than that.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (simulators.Portal.Histogram.Buckets() is { Count: > 0 } buckets && DateTimeOffset.UtcNow - buckets[^1].Second < TimeSpan.FromSeconds(2))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the portal kept receiving requests after the host was killed");
            await Task.Delay(100);
        }

        await using var second = StandaloneProcess.Start(environment);
        await using var storage = await openStore();
        await second.WaitUntilAsync(async () =>
        {
            var (_, finished) = await storage.State.GetRunsAsync(CancellationToken.None);
            if (finished is null) return false;
            var depth = await storage.Queue.GetApproximateDepthAsync(CancellationToken.None);
            var inRepair = 0;
            await foreach (var _ in storage.Ledger.GetInRepairAsync(CancellationToken.None)) inRepair++;
            return depth == 0 && inRepair == 0;
        }, "the restarted host to finish the work", TimeSpan.FromMinutes(6));
        await second.KillAsync();

        var figures = $"[crash and restart, {storeNamed}] killed after {lookupsBeforeCrash} look-ups; converged {clock.Elapsed.TotalSeconds:0.0} s after start; " +
                      $"portal calls {simulators.Portal.Counters.Total}, TraCuuHoSo {simulators.Portal.Counters.Calls("TraCuuHoSo")} for {simulators.Truth.Entries.Count} dossiers, " +
                      $"peak {simulators.Portal.Histogram.PeakReceivedPerSecond}/s";
        output.WriteLine(figures);
        Console.WriteLine(figures);

        var notCurrent = simulators.Truth.Entries.Where(e => e.Category != DvcSync.Simulators.Seeding.DossierCategory.RefusedByPortal)
            .Where(e => simulators.ComparePortalCopy(e.MaHoSo) != PortalCopyState.Current).Select(e => e.MaHoSo).ToList();
        Assert.Empty(notCurrent);
        foreach (var refused in simulators.Truth.Entries.Where(e => e.Category == DvcSync.Simulators.Seeding.DossierCategory.RefusedByPortal))
            Assert.Equal(DvcSync.Core.Ledger.SyncState.Rejected, (await storage.Ledger.GetAsync(refused.MaDonVi, refused.MaHoSo, CancellationToken.None))!.State);
        await storage.AssertCountsEqualRecountAsync();
        Assert.InRange(simulators.Portal.Histogram.PeakReceivedPerSecond, 1, ReliabilityScenario.Ceiling);
    }
}
