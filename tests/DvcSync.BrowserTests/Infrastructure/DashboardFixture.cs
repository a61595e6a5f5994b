using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DvcSync.Application.Repair;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Simulators.Seeding;
using DvcSync.Standalone.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;

namespace DvcSync.BrowserTests.Infrastructure;

/// <summary>
/// One seeded province (January–March 2025) on Azurite, both simulators and the standalone host, reconciled once,
/// with its unsynced dossiers in every state the dashboard shows — pending, retrying, rejected, abandoned — made by
/// the real repair handler against the simulated portal; and one headless Debian chromium driven by Playwright.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string From = "2025-01-01";
    public const string To = "2025-03-31";
    public const int Retrying = 3;
    public const int Abandoned = 3;

    public static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly AzuriteFixture _azurite = new();

    public SyncEnvironment Env { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string DashboardUrl => Env.BaseUrl + "/api/dashboard";
    public static string ScreenshotDirectory { get; } = RepositoryRoot.Combine("artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        var browser = LaunchBrowserAsync();
        await _azurite.InitializeAsync();
        Env = await SyncEnvironment.StartAsync(_azurite, new SimulatorOptions
        {
            Seed = 766,
            DossierCount = 900,
            ScenarioStart = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(7)),
            ScenarioNow = new DateTimeOffset(2025, 3, 31, 17, 0, 0, TimeSpan.FromHours(7)),
            PortalRateLimitPerSecond = 500,
        }, new Dictionary<string, string?>
        {
            // A failing repair gives up after 3.6 s (the shortest the setting allows), and waits an hour between tries:
            // what this fixture makes retrying stays retrying for the whole run.
            ["Sync:GiveUpHours"] = "0.001",
            ["Sync:RetryBaseSeconds"] = "3600",
            // Every failure below must reach the portal and count as an attempt, not be held back by an open circuit.
            ["Sync:CircuitFailureThreshold"] = "1000",
        });

        // The repairs are run here, one by one, so that each dossier ends in the state the tests expect.
        var poller = Env.App.Services.GetServices<IHostedService>().OfType<RepairQueuePoller>().Single();
        await poller.StopAsync(CancellationToken.None);
        _ = await Env.ReconcileAsync() ?? throw new InvalidOperationException("the reconciliation did not run");
        await ShapeUnsyncedStatesAsync();

        Directory.CreateDirectory(ScreenshotDirectory);
        await browser;
    }

    private async Task LaunchBrowserAsync()
    {
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// Refused dossiers are sent and end rejected; a third of the rest are repaired; a few fail on a portal answering
    /// "99" and are retrying, and some of those fail again after the give-up time and are abandoned; the rest stay
    /// pending, as the reconciliation left them.
    /// </summary>
    private async Task ShapeUnsyncedStatesAsync()
    {
        var handler = Env.App.Services.GetRequiredService<IRepairHandler>();
        var ct = CancellationToken.None;
        var missing = new List<LedgerEntry>();
        await foreach (var entry in Env.Ledger.GetInRepairAsync(ct))
            if (entry.IsUnsynced) missing.Add(entry);
        missing.Sort((a, b) => string.CompareOrdinal(a.MaHoSo, b.MaHoSo));

        var refused = Env.Simulators.Truth.Of(DossierCategory.RefusedByPortal).Select(e => e.MaHoSo).ToHashSet();
        foreach (var entry in missing.Where(e => refused.Contains(e.MaHoSo)))
            await handler.HandleAsync(Request(entry), ct);

        var repairable = missing.Where(e => !refused.Contains(e.MaHoSo)).ToList();
        var failing = repairable.Take(Retrying + Abandoned).ToList();
        var repaired = repairable.Skip(failing.Count).Take(repairable.Count / 3).ToList();
        if (failing.Count < Retrying + Abandoned || repaired.Count == 0)
            throw new InvalidOperationException($"The scenario has too few missing dossiers ({repairable.Count})");
        foreach (var entry in repaired)
            await handler.HandleAsync(Request(entry), ct);

        Env.Simulators.PortalFaults.Update(s => s with { SystemErrorRate = 1 });
        var outcomes = new List<RepairOutcome>();
        foreach (var entry in failing)
            outcomes.Add(await handler.HandleAsync(Request(entry), ct));
        // Real time must pass the give-up time before the second failure: the host's clock is the system's.
        await Task.Delay(TimeSpan.FromSeconds(4));
        foreach (var entry in failing.Take(Abandoned))
        {
            var current = await Env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, ct) ?? entry;
            outcomes.Add(await handler.HandleAsync(Request(current), ct));
        }
        Env.Simulators.PortalFaults.Reset();
        RepairOutcome[] expected = [.. Enumerable.Repeat(RepairOutcome.RetryScheduled, failing.Count), .. Enumerable.Repeat(RepairOutcome.Abandoned, Abandoned)];
        if (!outcomes.SequenceEqual(expected))
            throw new InvalidOperationException("The failing repairs ended " + string.Join(", ", outcomes) + ", not " + string.Join(", ", expected));
    }

    private static RepairRequest Request(LedgerEntry entry) => new(entry.MaHoSo, entry.MaDonVi, entry.PhienBan, entry.Attempts, "browser test");

    /// <summary>A fresh browser context (its own sessionStorage) and page, watched for requests and console errors.</summary>
    public async Task<WatchedPage> NewPageAsync(int width = 1366, int height = 768)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "vi-VN",
            // Not Vietnam's zone: the page must show the API's times in Vietnam's time whatever the browser's zone is.
            TimezoneId = "Europe/London",
            IsMobile = width < 600,
            HasTouch = width < 600,
            DeviceScaleFactor = 1,
        });
        return await WatchedPage.OpenAsync(context);
    }

    /// <summary>The API's own answer, read with the read key.</summary>
    public async Task<JsonNode> GetJsonAsync(string pathAndQuery)
    {
        using var response = await Env.Http.SendAsync(Env.Get(pathAndQuery));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    /// <summary>Every unsynced dossier of the period (and agency), through the API's cursor paging.</summary>
    public async Task<List<JsonObject>> GetAllUnsyncedAsync(string? agency = null)
    {
        var items = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync($"/api/dossiers/unsynced?from={From}&to={To}&limit=200"
                + (agency is null ? "" : "&agency=" + agency) + (cursor is null ? "" : "&cursor=" + cursor));
            items.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        return items;
    }

    /// <summary>Opens the page (unless it is open) and connects with the key, as a user would.</summary>
    public async Task ConnectAsync(IPage page, string key, bool navigate = true)
    {
        if (navigate) await page.GotoAsync(DashboardUrl);
        await page.Locator("#key-input").FillAsync(key);
        await page.Locator("#key-form button[type='submit']").ClickAsync();
    }

    /// <summary>Types the period in the page's Vietnamese form and asks for it; by default waits until its figures are shown.</summary>
    public static async Task ShowPeriodAsync(IPage page, string from, string to, bool waitForReady = true)
    {
        static string Vietnamese(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);
        await page.Locator("#from").FillAsync(Vietnamese(from));
        await page.Locator("#to").FillAsync(Vietnamese(to));
        await page.Locator("#apply").ClickAsync();
        if (!waitForReady) return;
        await Assertions.Expect(page.Locator("#scope-meta")).ToContainTextAsync($"{Vietnamese(from)} – {Vietnamese(to)}");
        await Assertions.Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "ready");
    }

    /// <summary>No request left the app's own origin, none carried the key in its address, and no script or policy error was logged.</summary>
    public void AssertOnlyTheAppWasAsked(WatchedPage watched)
    {
        Assert.All(watched.Requests, url => Assert.StartsWith(Env.BaseUrl + "/api/", url));
        Assert.All(watched.Requests, url => Assert.DoesNotContain("key-for-tests", url));
        Assert.DoesNotContain(watched.ConsoleErrors, e => !e.StartsWith("Failed to load resource", StringComparison.Ordinal));
    }

    public static string Screenshot(string name) => Path.Combine(ScreenshotDirectory, name);

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Env is not null) await Env.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
