using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DvcSync.BrowserTests.Infrastructure;
using DvcSync.Core.Dossiers;
using DvcSync.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DvcSync.BrowserTests;

/// <summary>
/// What the dashboard gives for the monthly report: the 766 scorecard, the week preset, CSV files for Excel, the printed
/// page and the trend of a long period — against the standalone host.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardReportTests(DashboardFixture fixture)
{
    private static readonly CultureInfo Vi = CultureInfo.GetCultureInfo("vi-VN");
    private static readonly string[] Indicators = ["1.4", "2.1", "3.3", "3.6", "4.1", "4.3", "4.5"];

    static DashboardReportTests() => SetDefaultExpectTimeout(20_000);

    [Fact]
    public async Task The_scorecard_shows_the_seven_indicators_source_against_portal_the_points_lost_and_the_agencies_ranked_with_drill_down()
    {
        var province = (await fixture.GetJsonAsync($"/api/indicators/scorecard?from={DashboardFixture.From}&to={DashboardFixture.To}")).AsObject();
        var provinceCode = province["agency"]!.GetValue<string>();
        var district = fixture.Env.Simulators.Provincial.Agencies.First(a => a.Cap == "HUYEN");
        var answers = new Dictionary<string, JsonObject>
        {
            [provinceCode] = province,
            [district.MaDonVi] = (await fixture.GetJsonAsync($"/api/indicators/scorecard?from={DashboardFixture.From}&to={DashboardFixture.To}&agency={district.MaDonVi}")).AsObject(),
        };
        // The fixture leaves dossiers unsynced in every state, so sync costs the province points the page must show.
        Assert.True(Indicator(province, "1.4")["pointsLostToSync"]!.GetValue<double>() > 0);

        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);
        await page.Locator("#tab-scorecard").ClickAsync();
        await Expect(page.Locator("#scorecard")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(page.Locator("#figures")).ToBeHiddenAsync();

        var provinceName = (await fixture.GetJsonAsync($"/api/indicators/sync-rate?from={DashboardFixture.From}&to={DashboardFixture.To}"))["name"]!.GetValue<string>();
        await Expect(page.Locator("#sc-scope-name")).ToHaveTextAsync("Bảng điểm 766 — " + provinceName);
        await AssertScorecardAsync(page, province);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-scorecard.png"), FullPage = true });

        // Drill-down: the district's own scorecard, its communes ranked, and the way back.
        await page.Locator($"#sc-agencies tbody tr[data-agency='{district.MaDonVi}'] .drill").ClickAsync();
        await Expect(page.Locator("#sc-scope-name")).ToHaveAttributeAsync("data-agency", district.MaDonVi);
        await Expect(page.Locator("#breadcrumb .crumb-current")).ToHaveTextAsync(district.TenDonVi);
        await AssertScorecardAsync(page, answers[district.MaDonVi]);
        await page.Locator("#breadcrumb button.crumb").First.ClickAsync();
        await Expect(page.Locator("#sc-scope-name")).ToHaveAttributeAsync("data-agency", provinceCode);
        var period = $"/api/indicators/scorecard?from={DashboardFixture.From}&to={DashboardFixture.To}";
        Assert.Equal([period, period + "&agency=" + district.MaDonVi, period],
            watched.Requests.Where(url => url.Contains("/api/indicators/scorecard?", StringComparison.Ordinal))
                .Select(url => url[url.IndexOf("/api/", StringComparison.Ordinal)..]).ToList());

        // Back on the sync rate, the drill-down and period still apply.
        await page.Locator("#tab-sync").ClickAsync();
        await Expect(page.Locator("#main")).ToHaveAttributeAsync("data-state", "ready");
        await Expect(page.Locator("#scorecard")).ToBeHiddenAsync();
        fixture.AssertOnlyTheAppWasAsked(watched);
    }

    private static async Task AssertScorecardAsync(IPage page, JsonObject answer)
    {
        var indicators = answer["indicators"]!.AsArray().Select(i => i!.AsObject()).ToList();
        var rows = page.Locator("#sc-indicators tbody tr");
        await Expect(rows).ToHaveCountAsync(Indicators.Length);
        Assert.Equal(Indicators, await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.id)"));
        foreach (var indicator in indicators)
        {
            var row = page.Locator($"#sc-indicators tbody tr[data-id='{indicator["id"]}']");
            await Expect(row.Locator("td.indicator")).ToContainTextAsync(indicator["name"]!.GetValue<string>());
            if (indicator["measured"]?.GetValue<bool>() == false)
            {
                await Expect(row.Locator("td.not-measured")).ToHaveTextAsync("Không đo được: " + indicator["reason"]!.GetValue<string>());
                continue;
            }
            foreach (var side in new[] { "source", "portal" })
            {
                var figures = indicator[side]!;
                await Expect(row.Locator($"td.{side}-rate")).ToHaveAttributeAsync("data-value", figures["rate"]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture));
                await Expect(row.Locator($"td.{side}-rate .fraction")).ToHaveTextAsync(
                    $"{figures["numerator"]!.GetValue<long>().ToString("N0", Vi)}/{figures["denominator"]!.GetValue<long>().ToString("N0", Vi)}");
                await Expect(row.Locator($"td.{side}-points")).ToHaveTextAsync(Points(figures["points"]!.GetValue<double>()));
            }
            await Expect(row.Locator("td.lost")).ToHaveTextAsync(Points(indicator["pointsLostToSync"]!.GetValue<double>()));
        }
        var measured = indicators.Where(i => i["measured"]?.GetValue<bool>() != false).ToList();
        await Expect(page.Locator("#sc-lost")).ToHaveTextAsync(Points(measured.Sum(i => i["pointsLostToSync"]!.GetValue<double>())));
        await Expect(page.Locator("#sc-portal-points")).ToHaveTextAsync(
            $"{Points(measured.Sum(i => i["portal"]!["points"]!.GetValue<double>()))} / {Points(measured.Sum(i => i["maxPoints"]!.GetValue<double>()))}");

        // Ranked by points lost, the largest first, each with its unsynced dossiers.
        var agencies = answer["agencies"]!.AsArray().Select(a => a!.AsObject()).ToList();
        await Expect(page.Locator("#sc-agencies tbody tr")).ToHaveCountAsync(agencies.Count);
        Assert.Equal(agencies.OrderByDescending(a => a["pointsLostToSync"]!.GetValue<double>()).ThenByDescending(a => a["unsynced"]!.GetValue<long>())
                .Select(a => a["agency"]!.GetValue<string>()),
            await page.Locator("#sc-agencies tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.agency)"));
        Assert.Equal(Enumerable.Range(1, agencies.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)), await page.Locator("#sc-agencies tbody td.rank").AllTextContentsAsync());
        foreach (var agency in agencies)
        {
            var row = page.Locator($"#sc-agencies tbody tr[data-agency='{agency["agency"]}']");
            await Expect(row.Locator(".drill")).ToHaveTextAsync(agency["name"]!.GetValue<string>());
            await Expect(row.Locator("td.unsynced")).ToHaveTextAsync(agency["unsynced"]!.GetValue<long>().ToString("N0", Vi));
        }
    }

    // The page rounds the exact binary value (Intl.NumberFormat); .NET's "0.##" rounds a 15-digit image of it, which
    // turns 3.2249999999999996 into 3,23 where the page rightly shows 3,22.
    private static string Points(double points) => Math.Round(points, 2, MidpointRounding.AwayFromZero).ToString("0.##", Vi);

    private static JsonObject Indicator(JsonObject answer, string id) =>
        answer["indicators"]!.AsArray().Select(i => i!.AsObject()).Single(i => i["id"]!.GetValue<string>() == id);

    [Fact]
    public async Task The_week_preset_asks_for_last_weeks_monday_to_sunday_in_vietnam()
    {
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        // Sunday evening in London (the browser's zone) is already Monday 3 March in Vietnam: last week is 24 Feb–2 Mar
        // there, where London's calendar would give 17–23 Feb.
        await page.Clock.SetFixedTimeAsync(new DateTime(2025, 3, 2, 18, 30, 0, DateTimeKind.Utc));
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await Expect(page.Locator("[data-preset='lastWeek']")).ToHaveTextAsync("Tuần trước");

        await page.Locator("[data-preset='lastWeek']").ClickAsync();
        await Expect(page.Locator("#from")).ToHaveValueAsync("24/02/2025");
        await Expect(page.Locator("#to")).ToHaveValueAsync("02/03/2025");
        await Expect(page.Locator("#scope-meta")).ToContainTextAsync("24/02/2025 – 02/03/2025");
        Assert.Contains(watched.Requests, url => url.Contains("/api/indicators/sync-rate?from=2025-02-24&to=2025-03-02", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_agency_table_downloads_as_a_csv_excel_opens_with_vietnamese_intact()
    {
        var api = await fixture.GetJsonAsync($"/api/indicators/sync-rate?from={DashboardFixture.From}&to={DashboardFixture.To}");
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);

        var (name, rows) = await DownloadCsvAsync(page, "#agencies-csv");
        Assert.Equal($"dong-bo-theo-don-vi_{api["agency"]}_{DashboardFixture.From}_{DashboardFixture.To}.csv", name);
        Assert.Equal(["Mã đơn vị", "Tên đơn vị", "Tiếp nhận", "Đã đồng bộ", "Chưa đồng bộ", "Tỷ lệ đồng bộ (%)"], rows[0]);
        var agencies = api["agencies"]!.AsArray().Select(a => a!.AsObject()).ToList();
        Assert.Equal(agencies.Count, rows.Count - 1);
        foreach (var agency in agencies)
        {
            var row = rows.Single(r => r[0] == agency["agency"]!.GetValue<string>());
            var received = agency["received"]!.GetValue<long>();
            var synced = agency["synced"]!.GetValue<long>();
            Assert.Equal(
                [agency["name"]!.GetValue<string>(), $"{received}", $"{synced}", $"{received - synced}", (agency["rate"]!.GetValue<double>() * 100).ToString("F2", CultureInfo.InvariantCulture)],
                row[1..]);
        }
        Assert.Contains(rows, r => r[1].Any(c => c > 127));
    }

    [Fact]
    public async Task The_unsynced_list_downloads_as_a_csv_with_its_fields_quoted_and_no_personal_data()
    {
        var items = await fixture.GetAllUnsyncedAsync();
        const string Reason = "Cổng từ chối: trường \"NgayHenTra\", sai định dạng";
        // The personal fields of dossier.md, under the API's casing, with the values of a real citizen's kind.
        var personal = new Dictionary<string, string>
        {
            ["chuHoSo"] = "Nguyễn Thị Thử Nghiệm", ["soGiayToChuHoSo"] = "001099012345", ["maDoiTuong"] = "MDT-7766",
            ["dinhDanhCHS"] = "079123456789", ["soDienThoai"] = "0912345678", ["email"] = "thu.nghiem@example.vn",
        };
        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        // The host's real answer, with the first dossier's reason made to need quoting and the personal fields an answer
        // must never carry added: the file must hold what the page names, never whatever an answer holds.
        await page.RouteAsync("**/api/dossiers/unsynced?**", async route =>
        {
            var response = await route.FetchAsync();
            var body = JsonNode.Parse(await response.TextAsync())!.AsObject();
            foreach (var item in body["items"]!.AsArray())
            {
                foreach (var (field, value) in personal) item![field] = value;
                if (item!["maHoSo"]!.GetValue<string>() == items[0]["maHoSo"]!.GetValue<string>()) item["lastError"] = Reason;
            }
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body.ToJsonString() });
        });
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");

        // Why "not synced" can be more than the list: said on the page, with the figures when they differ.
        var api = await fixture.GetJsonAsync($"/api/indicators/sync-rate?from={DashboardFixture.From}&to={DashboardFixture.To}");
        var gap = api["received"]!.GetValue<long>() - api["synced"]!.GetValue<long>();
        await Expect(page.Locator("#unsynced-gap")).ToContainTextAsync("API của hệ thống này chưa từng cung cấp");
        await Expect(page.Locator("#unsynced-gap-count")).ToHaveTextAsync(gap > items.Count
            ? $"Trong kỳ này: {gap.ToString("N0", Vi)} hồ sơ chưa đồng bộ, {items.Count.ToString("N0", Vi)} hồ sơ trong danh sách."
            : "");

        var (name, rows, bytes) = await DownloadCsvWithBytesAsync(page, "#unsynced-csv");
        Assert.Equal($"ho-so-chua-dong-bo_{api["agency"]}_{DashboardFixture.From}_{DashboardFixture.To}.csv", name);
        Assert.Equal(["Mã hồ sơ", "Mã đơn vị", "Đơn vị", "Ngày tiếp nhận", "Trạng thái hồ sơ", "Tình trạng", "Lần thử", "Lý do", "Thử lại lúc"], rows[0]);
        Assert.Equal(items.Select(i => i["maHoSo"]!.GetValue<string>()), rows.Skip(1).Select(r => r[0]));
        Assert.Equal(Reason, rows[1][7]);
        Assert.Contains("\"Cổng từ chối: trường \"\"NgayHenTra\"\", sai định dạng\"", Encoding.UTF8.GetString(bytes));
        var first = items[0];
        var receivedAt = DateTimeOffset.Parse(first["ngayTiepNhan"]!.GetValue<string>(), CultureInfo.InvariantCulture).ToOffset(TimeSpan.FromHours(7));
        Assert.Equal(receivedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), rows[1][3]);
        Assert.Contains(rows.Skip(1), r => r[5] == "Bị từ chối");

        // No personal value: neither those added above nor any the provincial system holds for these dossiers.
        var text = Encoding.UTF8.GetString(bytes);
        Assert.All(personal.Values, value => Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase));
        foreach (var item in items)
        {
            var dossier = fixture.Env.Simulators.Provincial.GetDossier(item["maHoSo"]!.GetValue<string>());
            foreach (var field in Dossier.PersonalDataFields)
                if (dossier?[field] is JsonValue value && value.ToString() is { Length: >= 6 } held)
                    Assert.DoesNotContain(held, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static async Task<(string Name, List<string[]> Rows)> DownloadCsvAsync(IPage page, string button)
    {
        var (name, rows, _) = await DownloadCsvWithBytesAsync(page, button);
        return (name, rows);
    }

    /// <summary>The file a button downloads: its name, its rows as Excel would split them, and its bytes, checked to be UTF-8 with a BOM and CRLF lines.</summary>
    private static async Task<(string Name, List<string[]> Rows, byte[] Bytes)> DownloadCsvWithBytesAsync(IPage page, string button)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator(button).ClickAsync());
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3);
        Assert.EndsWith("\r\n", text);
        Assert.DoesNotContain("\uFFFD", text);
        return (download.SuggestedFilename, ParseCsv(text), bytes);
    }

    /// <summary>RFC 4180: fields split by commas, quoted fields may hold commas, doubled quotes and line breaks.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i++;
            }
            else field.Append(c);
        }
        Assert.True(row.Count == 0 && field.Length == 0 && !quoted, "the file does not end with a whole line");
        return rows;
    }

    [Fact]
    public async Task Printed_the_page_hides_its_controls_and_lays_its_tables_out_for_a4()
    {
        // A4 less the page's margins (210 − 2 × 10 mm) at 96 dpi: the width the printed layout has.
        const int A4Width = 718;
        await using var watched = await fixture.NewPageAsync(A4Width, 1000);
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, DashboardFixture.From, DashboardFixture.To);
        await Expect(page.Locator("#unsynced-card")).ToHaveAttributeAsync("data-loaded", "true");
        string[] controls = ["#period-form", ".lang-toggle", "#change-key", "#print", ".view-tabs", "#agencies-csv", "#unsynced-csv", "#state-filter", "#health-card"];
        foreach (var control in controls) await Expect(page.Locator(control)).ToBeVisibleAsync();

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        foreach (var control in controls) await Expect(page.Locator(control)).ToBeHiddenAsync();
        foreach (var shown in new[] { "#scope-name", "#kpi-rate", "#trend svg", "#agencies", "#unsynced" }) await Expect(page.Locator(shown)).ToBeVisibleAsync();

        // Every table whole within the page's width — none cut off or left to a scroll bar paper does not have — and
        // the unsynced list as a table with its header repeated on each page, not the phone's cards.
        var overflowing = await page.EvaluateAsync<string[]>(@"width => [...document.querySelectorAll('table.data-table')]
            .filter(t => t.offsetParent !== null)
            .filter(t => t.getBoundingClientRect().right > width + 1 || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1)
            .map(t => `${t.id}: ${Math.round(t.getBoundingClientRect().right)}px`)", A4Width);
        Assert.Empty(overflowing);
        Assert.Equal("table-header-group", await page.Locator("#unsynced thead").EvaluateAsync<string>("e => getComputedStyle(e).display"));
        Assert.Equal("table-row", await page.Locator("#unsynced tbody tr").First.EvaluateAsync<string>("e => getComputedStyle(e).display"));
        var wide = await page.EvaluateAsync<int>($"() => document.documentElement.scrollWidth - {A4Width}");
        Assert.True(wide <= 0, $"the printed page is {wide}px wider than A4");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-print-a4.png"), FullPage = true });

        // Chromium's own print: the page's size rule makes every sheet A4 (595 × 842 points).
        var pdf = Encoding.Latin1.GetString(await page.PdfAsync(new PagePdfOptions { PreferCSSPageSize = true }));
        var boxes = System.Text.RegularExpressions.Regex.Matches(pdf, @"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]");
        Assert.NotEmpty(boxes);
        Assert.All(boxes, box =>
        {
            Assert.InRange(double.Parse(box.Groups[1].Value, CultureInfo.InvariantCulture), 594, 597);
            Assert.InRange(double.Parse(box.Groups[2].Value, CultureInfo.InvariantCulture), 841, 844);
        });
    }

    [Fact]
    public async Task A_period_over_92_days_draws_the_monthly_series_the_api_gives()
    {
        const string From = "2024-12-01";
        var api = await fixture.GetJsonAsync($"/api/indicators/sync-rate?from={From}&to={DashboardFixture.To}");
        Assert.Empty(api["days"]!.AsArray());
        var months = api["months"]!.AsArray().Select(m => m!.AsObject()).ToList();
        Assert.Equal(["2024-12", "2025-01", "2025-02", "2025-03"], months.Select(m => m["month"]!.GetValue<string>()));

        await using var watched = await fixture.NewPageAsync();
        var page = watched.Page;
        await fixture.ConnectAsync(page, SyncEnvironment.ReadKey);
        await DashboardFixture.ShowPeriodAsync(page, From, DashboardFixture.To);

        await Expect(page.Locator("#trend-title")).ToHaveTextAsync("Diễn biến theo tháng");
        await Expect(page.Locator("#trend g.month")).ToHaveCountAsync(months.Count);
        await Expect(page.Locator("#trend g.day")).ToHaveCountAsync(0);
        var drawn = await page.Locator("#trend g.month").EvaluateAllAsync<string[]>("gs => gs.map(g => `${g.dataset.month} ${g.dataset.received} ${g.dataset.synced} ${g.querySelectorAll('rect.bar-synced, rect.bar-unsynced').length}`)");
        Assert.Equal(months.Select(m => $"{m["month"]} {m["received"]} {m["synced"]} {(m["synced"]!.GetValue<long>() > 0 ? 1 : 0) + (m["received"]!.GetValue<long>() > m["synced"]!.GetValue<long>() ? 1 : 0)}"), drawn);
        Assert.True(months.Skip(1).All(m => m["received"]!.GetValue<long>() > 0), "the scenario receives dossiers every month of 2025's first quarter");
        await Expect(page.Locator("#trend path.rate-line")).ToHaveCountAsync(1);
        await Expect(page.Locator("#trend text.axis-label", new PageLocatorOptions { HasText = "01/2025" })).ToHaveCountAsync(1);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = DashboardFixture.Screenshot("dashboard-long-period.png") });
        fixture.AssertOnlyTheAppWasAsked(watched);
    }
}
