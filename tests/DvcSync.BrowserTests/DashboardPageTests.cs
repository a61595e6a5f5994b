using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.Api.Dashboard;
using DvcSync.BrowserTests.Infrastructure;
using DvcSync.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DvcSync.BrowserTests;

/// <summary>
/// The dashboard in a real browser (Debian's chromium, headless) against the standalone host and the simulators:
/// what it shows is compared with what the API answers for the same question.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardPageTests(DashboardFixture fixture)
{
    private static readonly CultureInfo Vi = CultureInfo.GetCultureInfo("vi-VN");
    private static readonly TimeSpan VietnamOffset = TimeSpan.FromHours(7);

    static DashboardPageTests() => SetDefaultExpectTimeout(20_000);

    [Fact]
    public async Task The_page_shows_the_provinces_figures_as_the_api_gives_them()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        var api = await fixture.GetJsonAsync($"/api/indicators/sync-rate?from={DashboardFixture.From}&to={DashboardFixture.To}");
        var received = api["received"]!.GetValue<long>();
        var synced = api["synced"]!.GetValue<long>();
        var rate = api["rate"]!.GetValue<double>();
        Assert.True(received > 0 && synced < received, "the scenario should leave some dossiers unsynced");

        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);

        await Expect(page.Locator("#kpi-received")).ToHaveAttributeAsync("data-value", received.ToString(CultureInfo.InvariantCulture));
        await Expect(page.Locator("#kpi-received")).ToHaveTextAsync(received.ToString("N0", Vi));
        await Expect(page.Locator("#kpi-synced")).ToHaveTextAsync(synced.ToString("N0", Vi));
        await Expect(page.Locator("#kpi-unsynced")).ToHaveTextAsync((received - synced).ToString("N0", Vi));
        await Expect(page.Locator("#kpi-rate")).ToHaveTextAsync((rate * 100).ToString("N2", Vi) + "%");
        Assert.Equal(rate, double.Parse((await page.Locator("#kpi-rate").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
        var points = api["points"]!.GetValue<double>().ToString("0.##", Vi);
        var maxPoints = api["maxPoints"]!.GetValue<double>().ToString("0.##", Vi);
        await Expect(page.Locator("#kpi-points")).ToHaveTextAsync($"Điểm chỉ số: {points} / {maxPoints}");
        await Expect(page.Locator("#scope-name")).ToHaveTextAsync(api["name"]!.GetValue<string>());
        var asOf = DateTimeOffset.Parse(api["asOf"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToOffset(VietnamOffset);
        await Expect(page.Locator("#scope-meta")).ToHaveTextAsync("Kỳ 01/01/2025 – 31/03/2025 · Số liệu tính đến " + asOf.ToString("dd/MM/yyyy HH:mm", CultureInfo.InvariantCulture));

        // One row per agency of the answer, each with the answer's figures.
        var rows = api["agencies"]!.AsArray().Select(r => r!.AsObject()).ToList();
        await Expect(page.Locator("#agencies tbody tr")).ToHaveCountAsync(rows.Count);
        foreach (var row in rows)
        {
            var tr = page.Locator($"#agencies tbody tr[data-agency='{row["agency"]}']");
            await Expect(tr.Locator(".drill")).ToHaveTextAsync(row["name"]!.GetValue<string>());
            await Expect(tr.Locator("td.received")).ToHaveTextAsync(row["received"]!.GetValue<long>().ToString("N0", Vi));
            await Expect(tr.Locator("td.synced")).ToHaveTextAsync(row["synced"]!.GetValue<long>().ToString("N0", Vi));
            await Expect(tr.Locator("td.rate")).ToHaveAttributeAsync("data-value", row["rate"]?.GetValue<double>().ToString("R", CultureInfo.InvariantCulture) ?? "");
        }

        // One bar group per day of the answer's series, with its counts.
        var days = api["days"]!.AsArray().Select(d => d!.AsObject()).ToList();
        await Expect(page.Locator("#trend g.day")).ToHaveCountAsync(days.Count);
        var drawn = await page.Locator("#trend g.day").EvaluateAllAsync<string[]>("gs => gs.map(g => `${g.dataset.date} ${g.dataset.received} ${g.dataset.synced}`)");
        Assert.Equal(days.Select(d => $"{d["date"]} {d["received"]} {d["synced"]}"), drawn);

        // The unsynced list: the API's dossiers, oldest first, the first page of them on screen.
        var unsynced = await fixture.GetAllUnsyncedAsync();
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.Locator("#unsynced-summary")).ToHaveTextAsync($"Hiển thị {Math.Min(50, unsynced.Count)} / {unsynced.Count.ToString("N0", Vi)} hồ sơ");
        var codes = await page.Locator("#unsynced tbody td.code-cell").AllTextContentsAsync();
        Assert.Equal(unsynced.Take(50).Select(i => i["maHoSo"]!.GetValue<string>()), codes);

        // The health panel: the pipeline's own state.
        var health = await fixture.GetJsonAsync("/api/health");
        await Expect(page.Locator("#health-status")).ToHaveAttributeAsync("data-status", health["status"]!.GetValue<string>());
        await Expect(page.Locator("#health-list dd[data-field='queue']")).ToHaveTextAsync(health["retryQueueDepth"]!.GetValue<long>().ToString("N0", Vi));
        await Expect(page.Locator("#health-list dd[data-field='checked']")).ToHaveTextAsync(health["reconciliation"]!["dossiersChecked"]!.GetValue<long>().ToString("N0", Vi));

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-desktop-1366x768.png") });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-desktop-full.png"), FullPage = true });

        // The key: in this tab's sessionStorage only, in a header, never in an address.
        Assert.Equal(SyncEnvironment.ReadKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('dvcsync.dashboard.key')"));
        Assert.Equal(0, await page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => localStorage.getItem(k).includes('key-for-tests')).length"));
        Assert.DoesNotContain("key-for-tests", page.Url);
        fixture.AssertOnlyTheAppWasAsked(watched);
    }

    [Fact]
    public async Task Drilling_into_a_district_shows_its_communes_and_the_breadcrumb_leads_back()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);

        var district = fixture.Env.Simulators.Provincial.Agencies.First(a => a.Cap == "HUYEN");
        var api = await fixture.GetJsonAsync($"/api/indicators/sync-rate?from={DashboardFixture.From}&to={DashboardFixture.To}&agency={district.MaDonVi}");
        var communes = api["agencies"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.NotEmpty(communes);

        await page.Locator($"#agencies tbody tr[data-agency='{district.MaDonVi}'] .drill").ClickAsync();
        await Expect(page.Locator("#scope-name")).ToHaveAttributeAsync("data-agency", district.MaDonVi);
        await Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#kpi-received")).ToHaveTextAsync(api["received"]!.GetValue<long>().ToString("N0", Vi));
        await Expect(page.Locator("#kpi-synced")).ToHaveTextAsync(api["synced"]!.GetValue<long>().ToString("N0", Vi));
        await Expect(page.Locator("#agencies tbody tr")).ToHaveCountAsync(communes.Count);
        foreach (var row in communes)
            await Expect(page.Locator($"#agencies tbody tr[data-agency='{row["agency"]}'] td.received"))
                .ToHaveTextAsync(row["received"]!.GetValue<long>().ToString("N0", Vi));
        await Expect(page.Locator("#breadcrumb .crumb-current")).ToHaveTextAsync(district.TenDonVi);

        // The unsynced list follows the drill-down: the district's own dossiers only.
        var unsynced = await fixture.GetAllUnsyncedAsync(district.MaDonVi);
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.Locator("#unsynced tbody tr")).ToHaveCountAsync(Math.Min(50, unsynced.Count));

        await page.Locator("#breadcrumb button.crumb").First.ClickAsync();
        await Expect(page.Locator("#scope-name")).ToHaveAttributeAsync("data-agency", "000.00.00.H19");
        await Expect(page.Locator($"#agencies tbody tr[data-agency='{district.MaDonVi}']")).ToHaveCountAsync(1);
        fixture.AssertOnlyTheAppWasAsked(watched);
    }

    [Fact]
    public async Task The_health_panel_shows_the_last_audit_as_the_api_reports_it()
    {
        // A month's audit, run by the host's own runner; it changes no dossier's state (the portal is not failing now).
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/api/audits?from={DashboardFixture.From}&to=2025-01-31"))
        {
            request.Headers.Add("x-functions-key", SyncEnvironment.AdminKey);
            using var accepted = await fixture.Env.Http.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        }
        JsonNode audit;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((audit = await fixture.GetJsonAsync("/api/audits/current"))["status"]!.GetValue<string>() != "finished")
        {
            Assert.True(DateTime.UtcNow < deadline, "the audit did not finish: " + audit.ToJsonString());
            await Task.Delay(200);
        }
        var done = audit["done"]!.GetValue<long>();
        Assert.True(done > 0, "the audit checked nothing");

        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);

        await Expect(page.Locator("#health-list dd[data-field='audit-period']")).ToHaveTextAsync("01/01/2025 – 31/01/2025");
        await Expect(page.Locator("#health-list dd[data-field='audit-status']")).ToHaveTextAsync("Kết thúc");
        await Expect(page.Locator("#health-list dd[data-field='audit-progress']")).ToHaveTextAsync($"{done.ToString("N0", Vi)} / {done.ToString("N0", Vi)} (100,0%)");
        await Expect(page.Locator("#health-list dd[data-field='audit-found']")).ToHaveTextAsync(audit["mismatches"]!.GetValue<long>().ToString("N0", Vi));
        // Rate and time left are for an audit still under way.
        await Expect(page.Locator("#health-list dd[data-field='audit-left']")).ToHaveCountAsync(0);
        fixture.AssertOnlyTheAppWasAsked(watched);
    }

    [Fact]
    public async Task The_agency_table_puts_the_worst_rate_first_and_sorts_by_any_column()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);

        var rates = await Values(page, "td.rate");
        Assert.True(rates.Count > 3);
        Assert.Equal(rates.Order(), rates);
        Assert.True(rates[0] < rates[^1], "the scenario should give agencies different rates");
        await Expect(page.Locator("#agencies th[data-sort='rate']")).ToHaveAttributeAsync("aria-sort", "ascending");

        await page.Locator("#agencies th[data-sort='rate'] button").ClickAsync();
        await Expect(page.Locator("#agencies th[data-sort='rate']")).ToHaveAttributeAsync("aria-sort", "descending");
        Assert.Equal(rates.OrderDescending(), await Values(page, "td.rate"));

        await page.Locator("#agencies th[data-sort='received'] button").ClickAsync();
        await Expect(page.Locator("#agencies th[data-sort='received']")).ToHaveAttributeAsync("aria-sort", "descending");
        var received = await Values(page, "td.received");
        Assert.Equal(received.OrderDescending(), received);

        await page.Locator("#agencies th[data-sort='received'] button").ClickAsync();
        await Expect(page.Locator("#agencies th[data-sort='received']")).ToHaveAttributeAsync("aria-sort", "ascending");
        received = await Values(page, "td.received");
        Assert.Equal(received.Order(), received);

        await page.Locator("#agencies th[data-sort='name'] button").ClickAsync();
        await Expect(page.Locator("#agencies th[data-sort='name']")).ToHaveAttributeAsync("aria-sort", "ascending");
        var names = await page.Locator("#agencies tbody .drill").AllTextContentsAsync();
        Assert.Equal(names.Order(StringComparer.Create(Vi, CompareOptions.None)), names);
    }

    [Fact]
    public async Task The_state_and_agency_filters_change_the_unsynced_table()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");

        var all = await fixture.GetAllUnsyncedAsync();
        var byState = all.GroupBy(i => i["state"]!.GetValue<string>()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(DashboardFixture.Retrying, byState.GetValueOrDefault("retrying"));
        Assert.Equal(DashboardFixture.Abandoned, byState.GetValueOrDefault("abandoned"));
        Assert.True(byState.GetValueOrDefault("rejected") > 0 && byState.GetValueOrDefault("pending") > 0, string.Join(", ", byState));

        var rows = page.Locator("#unsynced tbody tr");
        await Expect(rows).ToHaveCountAsync(Math.Min(50, all.Count));
        foreach (var (state, count) in byState)
        {
            await page.Locator("#state-filter").SelectOptionAsync(state);
            await Expect(rows).ToHaveCountAsync(Math.Min(50, count));
            Assert.All(await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.state)"), s => Assert.Equal(state, s));
        }
        // What an operator reads: why the portal refused the dossier, in its own words.
        await page.Locator("#state-filter").SelectOptionAsync("rejected");
        var reasons = await page.Locator("#unsynced tbody td.reason").AllTextContentsAsync();
        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r) || r == "—"));
        await page.Locator("#state-filter").SelectOptionAsync("retrying");
        await Expect(rows.First.Locator("td.when").Nth(1)).Not.ToHaveTextAsync("—");

        // The agency filter asks the API again for that agency's subtree; the state filter still applies.
        await page.Locator("#state-filter").SelectOptionAsync("");
        var options = await page.Locator("#agency-filter option").EvaluateAllAsync<string[]>("os => os.map(o => o.value).filter(v => v)");
        var agency = options.First(o => all.Any(i => i["maDonVi"]!.GetValue<string>() == o));
        var expected = await fixture.GetAllUnsyncedAsync(agency);
        await page.Locator("#agency-filter").SelectOptionAsync(agency);
        await Expect(rows).ToHaveCountAsync(Math.Min(50, expected.Count));
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");
        Assert.Equal(expected.Take(50).Select(i => i["maHoSo"]!.GetValue<string>()), await page.Locator("#unsynced tbody td.code-cell").AllTextContentsAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-unsynced-filtered.png"), FullPage = true });
    }

    [Fact]
    public async Task A_wrong_key_shows_the_401_state_and_is_not_kept()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, "not-the-right-key-0123456789");

        await Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "unauthorized");
        await Expect(page.Locator("#key-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#key-error")).ToContainTextAsync("401");
        await Expect(page.Locator("#figures")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('dvcsync.dashboard.key')"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-wrong-key.png") });

        // The right key then works from the same page.
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey, navigate: false);
        await Expect(page.Locator("#main")).Not.ToHaveAttributeAsync("data-state", "unauthorized");
        await Expect(page.Locator("#toolbar")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_stopped_api_shows_the_unreachable_state()
    {
        // A host of the page alone, stopped once the page is loaded: the API calls then meet a closed port.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        var assets = new DashboardAssets();
        app.MapGet("/api/dashboard/{*file}", (HttpRequest r, string? file) => assets.Get(r, file));
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await page.GotoAsync(url + "/api/dashboard");
        await Expect(page.Locator("#key-input")).ToBeVisibleAsync();
        await app.StopAsync();

        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey, navigate: false);
        await Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "unreachable");
        await Expect(page.Locator("#unreachable-state")).ToBeVisibleAsync();
        await Expect(page.Locator("#unreachable-state")).ToContainTextAsync("Không kết nối được tới API");
        await Expect(page.Locator("#unreachable-state button")).ToHaveTextAsync("Thử lại");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-unreachable.png") });
    }

    [Fact]
    public async Task A_server_error_shows_the_5xx_state_with_the_apis_detail()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await page.RouteAsync("**/api/indicators/sync-rate**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 503,
            ContentType = "application/problem+json",
            Body = """{"title":"Dependency unavailable","status":503,"detail":"provincial system is unavailable: timeout. Try again later."}""",
        }));
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "error");
        await Expect(page.Locator("#error-state")).ToContainTextAsync("HTTP 503");
        await Expect(page.Locator("#error-state")).ToContainTextAsync("provincial system is unavailable");
    }

    [Fact]
    public async Task The_default_period_is_this_month_and_an_empty_period_shows_the_empty_state()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        // The browser's clock is pinned to an evening in London that is already the 1st in Vietnam: "this month" is
        // Vietnam's, and the test reads the same on every day it runs, midnight included.
        await page.Clock.SetFixedTimeAsync(new DateTime(2025, 2, 28, 18, 30, 0, DateTimeKind.Utc));
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await Expect(page.Locator("#from")).ToHaveValueAsync("01/03/2025");
        await Expect(page.Locator("#to")).ToHaveValueAsync("01/03/2025");

        await DashboardFixture.ShowPeriodAsync(page, "2024-06-01", "2024-06-30", waitForReady: false);
        await Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "empty");
        await Expect(page.Locator("#empty-state")).ToContainTextAsync("01/06/2024");
        await Expect(page.Locator("#empty-state")).ToContainTextAsync("30/06/2024");
        await Expect(page.Locator("#figures")).ToBeHiddenAsync();
        await Expect(page.Locator("#health-card")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-empty-period.png") });

        // A period the API would refuse is caught on the page, with a reason.
        await page.Locator("#from").FillAsync("01/01/2024");
        await page.Locator("#to").FillAsync("31/03/2025");
        await page.Locator("#apply").ClickAsync();
        await Expect(page.Locator("#period-error")).ToHaveTextAsync("Kỳ báo cáo dài tối đa 366 ngày.");
    }

    [Fact]
    public async Task On_a_phone_the_page_fits_the_screen_without_sideways_scrolling()
    {
        await using var watched = await fixture.NewPageAsync(390, 844);
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a 390px screen");
        // Nothing sticks out of the screen's width either (a table wider than its card would be clipped, not scrolled).
        var wide = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className)");
        Assert.Empty(wide);
        await Expect(page.Locator("#kpi-rate")).ToBeInViewportAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-phone-390x844.png") });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-phone-full.png"), FullPage = true });
    }

    [Fact]
    public async Task The_english_toggle_translates_the_page_and_its_dates()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Tỷ lệ đồng bộ hồ sơ lên Cổng DVCQG");

        await page.Locator(".lang-toggle button[data-lang='en']").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Dossier sync rate to the National Public Service Portal");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#from")).ToHaveValueAsync(DashboardFixture.From);
        await Expect(page.Locator("#agencies th[data-sort='received'] button")).ToContainTextAsync("Received");
        var received = long.Parse((await page.Locator("#kpi-received").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        await Expect(page.Locator("#kpi-received")).ToHaveTextAsync(received.ToString("N0", CultureInfo.GetCultureInfo("en-GB")));
        await Expect(page.Locator("#scope-meta")).ToContainTextAsync("01 Jan 2025 – 31 Mar 2025");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-desktop-english.png") });

        await page.Locator(".lang-toggle button[data-lang='vi']").ClickAsync();
        await Expect(page.Locator("#from")).ToHaveValueAsync("01/01/2025");
        await Expect(page.Locator("#agencies th[data-sort='received'] button")).ToContainTextAsync("Tiếp nhận");
    }

    private static async Task<List<double>> Values(IPage page, string cell) =>
        (await page.Locator($"#agencies tbody {cell}").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.value)"))
        .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();

}
