using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Simulators;
using DvcSync.Standalone;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>
/// The whole pipeline for real: both simulators, Azurite, and the standalone host built in this process with the
/// configuration an operator would give it (its queue poller included). The timer is set far off: tests run the
/// reconciliation when they want it.
/// </summary>
public sealed class SyncEnvironment : IAsyncDisposable
{
    public const string ReadKey = "read-key-for-tests-0123456789";
    public const string AdminKey = "admin-key-for-tests-0123456789";

    private readonly TestLogFile _log;

    private SyncEnvironment(SimulatorHost simulators, WebApplication app, string baseUrl, string queueName, string tablePrefix, TestLogFile log)
    {
        _log = log;
        TablePrefix = tablePrefix;
        Simulators = simulators;
        App = app;
        BaseUrl = baseUrl;
        QueueName = queueName;
        Http = new HttpClient { BaseAddress = new Uri(baseUrl) };
    }

    public SimulatorHost Simulators { get; }
    public WebApplication App { get; }
    public string BaseUrl { get; }
    public string QueueName { get; }
    public string TablePrefix { get; }
    public DvcSync.Infrastructure.Storage.StorageAccount Storage => App.Services.GetRequiredService<DvcSync.Infrastructure.Storage.StorageAccount>();

    public Task AssertLedgerCountsEqualRecountAsync() => LedgerAudit.AssertCountsEqualRecountAsync(Storage, TablePrefix, Ledger);
    public HttpClient Http { get; }
    public ISyncLedger Ledger => App.Services.GetRequiredService<ISyncLedger>();
    public IRepairQueue Queue => App.Services.GetRequiredService<IRepairQueue>();

    /// <param name="callerFile">With <paramref name="callerMember"/>, names the host's log file (<see cref="TestLogFile"/>).</param>
    public static async Task<SyncEnvironment> StartAsync(AzuriteFixture azurite, SimulatorOptions simulatorOptions, IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null, [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "")
    {
        var simulators = await SimulatorHost.StartAsync(simulatorOptions);
        var prefix = TestStorage.NewPrefix();
        var queue = "repair-" + prefix;
        var configuration = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Sync:TablePrefix"] = prefix,
            ["Sync:RepairQueue"] = queue,
            ["Sync:ReconcileSchedule"] = "0 0 0 1 1 *",
            ["Sync:HistoryFrom"] = simulatorOptions.ScenarioStart.ToString("yyyy-MM-dd"),
            ["Sync:QueuePollMaxMilliseconds"] = "200",
            ["NationalPortal:BaseUrl"] = simulators.PortalBaseUrl,
            ["NationalPortal:Username"] = simulators.Credentials.PortalUsername,
            ["NationalPortal:Password"] = simulators.Credentials.PortalPassword,
            ["NationalPortal:DstCode"] = simulators.Credentials.PortalDstCode,
            ["NationalPortal:MaDonVi"] = simulators.Credentials.PortalMaDonVi,
            ["NationalPortal:MaxRequestsPerSecond"] = simulatorOptions.PortalRateLimitPerSecond is > 0 and var limit ? limit.ToString() : "500",
            ["ProvincialSystem:BaseUrl"] = simulators.ProvincialBaseUrl,
            ["ProvincialSystem:ClientId"] = simulators.Credentials.ProvincialClientId,
            ["ProvincialSystem:ClientSecret"] = simulators.Credentials.ProvincialClientSecret,
            ["Api:Keys"] = ReadKey,
            ["Api:AdminKeys"] = AdminKey,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) configuration[key] = value;

        var args = configuration.Select(kv => $"--{kv.Key}={kv.Value}").Append("--urls=http://127.0.0.1:0").ToArray();
        var log = TestLogFile.Create("standalone", callerFile, callerMember);
        var app = StandaloneApp.Build(args, builder =>
        {
            // To the test's log file, not the console; a test's own capture is added after this.
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(log);
            // One time for the host and the simulators: "now", "this month" and the portal's future-date check agree.
            if (simulatorOptions.TimeProvider != TimeProvider.System) builder.Services.AddSingleton(simulatorOptions.TimeProvider);
            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SyncEnvironment(simulators, app, address, queue, prefix, log);
    }

    public Task<ReconcileRun?> ReconcileAsync() => App.Services.GetRequiredService<IReconcileHandler>().RunAsync(CancellationToken.None);

    /// <summary>
    /// Runs reconciliations until one finishes: under injected faults a run may stop when the portal circuit opens,
    /// and the next resumes from the watermark, as the timer would. Fails after <paramref name="maxRuns"/>.
    /// </summary>
    public async Task<(ReconcileRun Run, int Runs)> ReconcileUntilFinishedAsync(TimeSpan timeout, int maxRuns = 1000)
    {
        var deadline = DateTime.UtcNow + timeout;
        var failures = new List<string>();
        for (var runs = 1; runs <= maxRuns; runs++)
        {
            try
            {
                if (await ReconcileAsync() is { FinishedAt: not null } run) return (run, runs);
            }
            catch (ExternalSystemUnavailableException e)
            {
                failures.Add(e.Message);
            }
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(500);
        }
        throw new TimeoutException("No reconciliation finished: " + string.Join(" | ", failures.TakeLast(5)));
    }

    /// <summary>
    /// Waits until the repair has nothing left to do: the queue is empty and no entry is pending or retrying. The
    /// repairs run in the host's own poller; this only watches, with a deadline that fails the test. With
    /// <paramref name="sweepEvery"/> it also runs the reconciliation now and then, as the timer would, so that its sweep
    /// re-queues a repair whose message a fault made late or lost.
    /// </summary>
    public async Task WaitForRepairsAsync(TimeSpan timeout, TimeSpan? sweepEvery = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        DateTime? nextSweep = sweepEvery is { } every ? DateTime.UtcNow + every : null;
        while (true)
        {
            var depth = await Queue.GetApproximateDepthAsync(CancellationToken.None);
            var inRepair = new List<LedgerEntry>();
            await foreach (var entry in Ledger.GetInRepairAsync(CancellationToken.None)) inRepair.Add(entry);
            if (depth == 0 && inRepair.Count == 0) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Repairs did not settle in {timeout}: {depth} messages queued, {inRepair.Count} entries in repair: "
                    + string.Join("; ", inRepair.Take(5).Select(e => $"{e.MaHoSo} {e.State} next {e.NextAttemptAt:o} attempts {e.Attempts} ({e.LastError})")));
            if (nextSweep is { } due && DateTime.UtcNow > due)
            {
                try
                {
                    await ReconcileAsync();
                }
                catch (ExternalSystemUnavailableException)
                {
                    // The portal is still down: the next sweep will try again.
                }
                nextSweep = DateTime.UtcNow + sweepEvery!.Value;
            }
            await Task.Delay(200);
        }
    }

    public HttpRequestMessage Get(string pathAndQuery, string? key = ReadKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (key is not null) request.Headers.Add("x-functions-key", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Simulators.DisposeAsync();
        _log.Dispose();
    }
}
