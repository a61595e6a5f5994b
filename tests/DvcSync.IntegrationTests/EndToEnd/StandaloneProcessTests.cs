using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>The standalone host as an operator runs it: its own process, configured by environment variables, over HTTP.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StandaloneProcessTests(AzuriteFixture azurite)
{
    private static readonly string Dll = Path.Combine(Path.GetDirectoryName(typeof(DvcSync.Standalone.StandaloneApp).Assembly.Location)!, "DvcSync.Standalone.dll");

    private static ProcessStartInfo Start(IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }

    [Fact]
    public async Task The_host_runs_the_pipeline_and_answers_the_api_with_keys()
    {
        await using var simulators = await SimulatorHost.StartAsync(new SimulatorOptions { DossierCount = 200, Seed = 7, PortalRateLimitPerSecond = 100 });
        var port = FreePort.Next();
        var prefix = TestStorage.NewPrefix();
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Sync__TablePrefix"] = prefix,
            ["Sync__RepairQueue"] = "repair-" + prefix,
            ["Sync__ReconcileOnStartup"] = "true",
            ["Sync__HistoryFrom"] = "2025-01-01",
            ["NationalPortal__BaseUrl"] = simulators.PortalBaseUrl,
            ["NationalPortal__Username"] = simulators.Credentials.PortalUsername,
            ["NationalPortal__Password"] = simulators.Credentials.PortalPassword,
            ["NationalPortal__DstCode"] = simulators.Credentials.PortalDstCode,
            ["NationalPortal__MaDonVi"] = simulators.Credentials.PortalMaDonVi,
            ["NationalPortal__MaxRequestsPerSecond"] = "100",
            ["ProvincialSystem__BaseUrl"] = simulators.ProvincialBaseUrl,
            ["ProvincialSystem__ClientId"] = simulators.Credentials.ProvincialClientId,
            ["ProvincialSystem__ClientSecret"] = simulators.Credentials.ProvincialClientSecret,
            ["Api__Keys"] = SyncEnvironment.ReadKey,
            ["Api__AdminKeys"] = SyncEnvironment.AdminKey,
        };
        using var process = Process.Start(Start(environment, "--urls", $"http://127.0.0.1:{port}"))!;
        var output = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await WaitUntilAsync(async () => (await TryGetAsync(http, "/api/health/live")) == HttpStatusCode.OK, process, output, "the host to listen");

            Assert.Equal(HttpStatusCode.Unauthorized, await TryGetAsync(http, "/api/health"));
            Assert.Equal(HttpStatusCode.Unauthorized, await TryGetAsync(http, "/api/health?code=wrong-key-0123456789"));
            using (var unauthorized = await http.GetAsync("/api/indicators/sync-rate?from=2025-01-01&to=2025-01-31"))
                Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType!.MediaType);

            // The reconciliation ran at start; wait until it finished and the repairs drained.
            await WaitUntilAsync(async () =>
            {
                using var health = await http.GetAsync($"/api/health?code={SyncEnvironment.ReadKey}");
                var body = JsonNode.Parse(await health.Content.ReadAsStringAsync())!;
                return body["reconciliation"]?["lastFinishedAt"] is not null && body["retryQueueDepth"]!.GetValue<long>() == 0;
            }, process, output, "the first reconciliation and its repairs");

            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31");
            request.Headers.Add("x-functions-key", SyncEnvironment.ReadKey);
            using var response = await http.SendAsync(request);
            var rate = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var (received, _) = simulators.SyncFigures(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
            Assert.Equal(received, rate["received"]!.GetValue<long>());
            Assert.True(rate["synced"]!.GetValue<long>() > 0);

            using var resync = new HttpRequestMessage(HttpMethod.Post, $"/api/dossiers/{simulators.Truth.Entries[0].MaHoSo}/resync");
            resync.Headers.Add("x-functions-key", SyncEnvironment.ReadKey);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(resync)).StatusCode);

            lock (output) Assert.DoesNotContain(output, line => line.Contains(SyncEnvironment.ReadKey) || line.Contains(simulators.Credentials.PortalPassword));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_missing_setting_stops_the_start_with_a_message_naming_the_key()
    {
        var environment = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ProvincialSystem__BaseUrl"] = "http://127.0.0.1:1",
            ["ProvincialSystem__ClientId"] = "x",
            ["ProvincialSystem__ClientSecret"] = "y",
            ["Sync__ReconcileSchedule"] = "every five minutes",
        };
        using var process = Process.Start(Start(environment, "--urls", $"http://127.0.0.1:{FreePort.Next()}"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        var message = await stderr + await stdout;
        Assert.Contains("Sync:ReconcileSchedule", message);
        Assert.DoesNotContain("   at ", message);
    }

    private static async Task<HttpStatusCode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process process, List<string> output, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                lock (output) throw new TimeoutException($"Waited in vain for {what}; host output:\n" + string.Join("\n", output.TakeLast(40)));
            }
            await Task.Delay(200);
        }
    }
}
