using System.Net;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>The standalone host as an operator runs it: its own process, configured by environment variables, over HTTP.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StandaloneProcessTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_host_runs_the_pipeline_and_answers_the_api_with_keys()
    {
        await using var simulators = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            DossierCount = 200, Seed = 7, PortalRateLimitPerSecond = 100,
            // The year the test reads: dossiers spread over it whatever day the test runs.
            ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
        });
        var environment = StandaloneProcess.Environment(azurite, simulators, TestStorage.NewPrefix(), ceiling: 100);
        environment["Sync__ReconcileOnStartup"] = "true";
        await using var host = StandaloneProcess.Start(environment);

        await host.WaitUntilAsync(async () => await host.TryGetAsync("/api/health/live") == HttpStatusCode.OK, "the host to listen");
        Assert.Equal(HttpStatusCode.Unauthorized, await host.TryGetAsync("/api/health"));
        Assert.Equal(HttpStatusCode.Unauthorized, await host.TryGetAsync("/api/health?code=wrong-key-0123456789"));
        using (var unauthorized = await host.Http.GetAsync("/api/indicators/sync-rate?from=2025-01-01&to=2025-01-31"))
            Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType!.MediaType);

        // The reconciliation ran at start; wait until it finished and the repairs drained.
        await host.WaitUntilAsync(async () =>
        {
            using var health = await host.Http.GetAsync($"/api/health?code={SyncEnvironment.ReadKey}");
            var body = JsonNode.Parse(await health.Content.ReadAsStringAsync())!;
            return body["reconciliation"]?["lastFinishedAt"] is not null && body["retryQueueDepth"]!.GetValue<long>() == 0;
        }, "the first reconciliation and its repairs");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31");
        request.Headers.Add("x-functions-key", SyncEnvironment.ReadKey);
        using var response = await host.Http.SendAsync(request);
        var rate = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (received, _) = simulators.SyncFigures(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
        Assert.Equal(received, rate["received"]!.GetValue<long>());
        Assert.True(rate["synced"]!.GetValue<long>() > 0);

        using var resync = new HttpRequestMessage(HttpMethod.Post, $"/api/dossiers/{simulators.Truth.Entries[0].MaHoSo}/resync");
        resync.Headers.Add("x-functions-key", SyncEnvironment.ReadKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.SendAsync(resync)).StatusCode);

        Assert.DoesNotContain(host.Output(), line => line.Contains(SyncEnvironment.ReadKey) || line.Contains(simulators.Credentials.PortalPassword));
    }

    [Fact]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_the_key()
    {
        await using var host = StandaloneProcess.Start(new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["ProvincialSystem__BaseUrl"] = "http://127.0.0.1:1",
            ["ProvincialSystem__ClientId"] = "x",
            ["ProvincialSystem__ClientSecret"] = "y",
            ["Sync__ReconcileSchedule"] = "every five minutes",
        });
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, host.ExitCode);
        var message = string.Join("\n", host.Output());
        Assert.Contains("Sync:ReconcileSchedule", message);
        Assert.DoesNotContain("   at ", message);
    }

    [Fact]
    public async Task Missing_external_system_settings_are_all_named_at_once()
    {
        await using var host = StandaloneProcess.Start(new Dictionary<string, string> { ["AzureWebJobsStorage"] = azurite.ConnectionString });
        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, host.ExitCode);
        var message = string.Join("\n", host.Output());
        foreach (var key in new[] { "NationalPortal:BaseUrl", "NationalPortal:Password", "ProvincialSystem:BaseUrl", "ProvincialSystem:ClientSecret" })
            Assert.Contains(key, message);
        Assert.DoesNotContain("   at ", message);
    }

    [Fact]
    public async Task A_background_service_that_dies_stops_the_program_with_a_non_zero_exit_code()
    {
        await using var simulators = await SimulatorHost.StartAsync(new SimulatorOptions { DossierCount = 5, Seed = 11 });
        var environment = StandaloneProcess.Environment(azurite, simulators, TestStorage.NewPrefix(), ceiling: 20);
        environment.Add(StandaloneProcess.FailingBackgroundService.Key, StandaloneProcess.FailingBackgroundService.Value);
        await using var host = StandaloneProcess.Start(environment);

        await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        var output = string.Join("\n", host.Output());
        Assert.Contains(StartupHook.FailureMessage, output); // the host logged why
        Assert.True(host.ExitCode == DvcSync.Standalone.StandaloneApp.BackgroundServiceFailed, $"exit code {host.ExitCode}:\n{output}");
        Assert.Contains("FailingService stopped on an error", output);
    }
}
