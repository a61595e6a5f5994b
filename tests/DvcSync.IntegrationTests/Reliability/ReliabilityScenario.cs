using System.Diagnostics;
using System.Text;
using DvcSync.Core.Ledger;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Seeding;
using Xunit.Abstractions;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>
/// What every fault scenario must end with, and the figures it prints: every repairable dossier current on the
/// portal, every refused one rejected with its reason, no second above the ceiling, counts equal to a recount.
/// </summary>
public static class ReliabilityScenario
{
    public const int Ceiling = 40;

    public static SimulatorOptions Simulators(int seed, int dossiers = 400) => new()
    {
        Seed = seed,
        DossierCount = dossiers,
        ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
        PortalRateLimitPerSecond = Ceiling,
    };

    /// <summary>Fast retries and a quick circuit, so a scenario converges in seconds rather than hours.</summary>
    public static Dictionary<string, string?> Settings(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["NationalPortal:MaxRequestsPerSecond"] = Ceiling.ToString(),
            // Two simulators, Azurite, a host and the test share two cores here (and CI runs seven test projects at
            // once on them): a request can wait far longer than the default 25 ms on either side of the socket, and
            // the portal's count is by when its server reads it. At 100 ms a CI run once saw 41 in a second.
            ["NationalPortal:RateMarginMilliseconds"] = "250",
            ["NationalPortal:TimeoutSeconds"] = "2",
            ["Sync:RetryBaseSeconds"] = "0.3",
            ["Sync:RetryMaxMinutes"] = "0.05",
            ["Sync:GiveUpHours"] = "1",
            ["Sync:CircuitBreakSeconds"] = "1",
            ["Sync:CircuitMaxBreakMinutes"] = "0.05",
            ["Sync:PageSize"] = "100",
            ["Sync:RepairConcurrency"] = "8",
            ["Sync:RepairVisibilityTimeoutSeconds"] = "20",
            ["Sync:LostRepairGraceMinutes"] = "0.25",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return settings;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/> (5 minutes).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(5));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Waited in vain for " + what);
            await Task.Delay(100);
        }
    }

    public static async Task AssertConvergedAsync(SyncEnvironment env)
    {
        var truth = env.Simulators.Truth;
        var notCurrent = truth.Entries.Where(e => e.Category != DossierCategory.RefusedByPortal)
            .Where(e => env.Simulators.ComparePortalCopy(e.MaHoSo) != PortalCopyState.Current)
            .Select(e => $"{e.MaHoSo} ({e.Category})").ToList();
        Assert.True(notCurrent.Count == 0, "not current on the portal: " + string.Join(", ", notCurrent.Take(10)));

        foreach (var refused in truth.Entries.Where(e => e.Category == DossierCategory.RefusedByPortal))
        {
            var entry = await env.Ledger.GetAsync(refused.MaDonVi, refused.MaHoSo, CancellationToken.None);
            Assert.True(entry is { State: SyncState.Rejected, LastError.Length: > 0 }, $"{refused.MaHoSo} ({refused.Refusal}) ended {entry?.State.ToString() ?? "unknown"}");
        }

        Assert.InRange(env.Simulators.Portal.Histogram.PeakReceivedPerSecond, 1, Ceiling);
        await env.AssertLedgerCountsEqualRecountAsync();
    }

    public static string Figures(string scenario, SyncEnvironment env, Stopwatch converge, int reconcileRuns)
    {
        var portal = env.Simulators.Portal;
        var faults = env.Simulators.PortalFaults;
        var text = new StringBuilder()
            .Append($"[{scenario}] dossiers {env.Simulators.Truth.Entries.Count}, converged in {converge.Elapsed.TotalSeconds:0.0} s after {reconcileRuns} reconciliation run(s); ")
            .Append($"portal calls {portal.Counters.Total} (TraCuuHoSo {portal.Counters.Calls("TraCuuHoSo")}, DongBoHoSoMC {portal.Counters.Calls("DongBoHoSoMC")}, ")
            .Append($"CapNhatTienDoHoSoMC {portal.Counters.Calls("CapNhatTienDoHoSoMC")}, LayThuTuc {portal.Counters.Calls("LayThuTuc")}, auth {portal.Counters.Calls("auth")}); ")
            .Append($"injected: 5xx {faults.Injected(FaultKind.ServerError)}, 429 {faults.Injected(FaultKind.TooManyRequests)}, 99 {faults.Injected(FaultKind.SystemError)}, ")
            .Append($"hangs {faults.Injected(FaultKind.Hang)}, outage {faults.Injected(FaultKind.Outage)}; ")
            .Append($"peak {portal.Histogram.PeakReceivedPerSecond}/s (ceiling {Ceiling}/s)")
            .ToString();
        var file = RepositoryRoot.Combine("artifacts", "test-results", "reliability-figures.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        lock (typeof(ReliabilityScenario)) File.AppendAllText(file, DateTime.UtcNow.ToString("u") + " " + text + Environment.NewLine);
        return text;
    }

    public static void Print(ITestOutputHelper output, string figures)
    {
        output.WriteLine(figures);
        Console.WriteLine(figures);
    }
}
