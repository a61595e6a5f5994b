using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.EndToEnd;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// A period over 92 days has no daily series; its trend is the monthly one. Each month is checked against the answer
/// for that month alone — a period short enough to be summed from its days — so the series is not merely the total
/// cut into pieces.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class SyncRateMonthlySeriesTests(ReconciledProvinceFixture fixture)
{
    private async Task<JsonNode> SyncRateAsync(string query)
    {
        using var response = await fixture.Env.Http.SendAsync(fixture.Env.Get("/api/indicators/sync-rate?" + query));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }

    [Fact]
    public async Task A_long_period_has_every_month_cut_to_the_period_each_equal_to_that_months_own_figures()
    {
        var year = await SyncRateAsync("from=2025-01-15&to=2025-11-20");
        Assert.Empty(year["days"]!.AsArray());
        var months = year["months"]!.AsArray().Select(m => m!.AsObject()).ToList();

        Assert.Equal(Enumerable.Range(1, 11).Select(m => $"2025-{m:00}"), months.Select(m => m["month"]!.GetValue<string>()));
        Assert.Equal("2025-01-15", months[0]["from"]!.GetValue<string>());
        Assert.Equal("2025-01-31", months[0]["to"]!.GetValue<string>());
        Assert.Equal("2025-11-01", months[^1]["from"]!.GetValue<string>());
        Assert.Equal("2025-11-20", months[^1]["to"]!.GetValue<string>());
        Assert.Equal(year["received"]!.GetValue<long>(), months.Sum(m => m["received"]!.GetValue<long>()));
        Assert.Equal(year["synced"]!.GetValue<long>(), months.Sum(m => m["synced"]!.GetValue<long>()));
        Assert.Contains(months, m => m["received"]!.GetValue<long>() > 0 && m["synced"]!.GetValue<long>() < m["received"]!.GetValue<long>());

        foreach (var month in months)
        {
            var alone = await SyncRateAsync($"from={month["from"]}&to={month["to"]}");
            Assert.Equal(alone["received"]!.GetValue<long>(), month["received"]!.GetValue<long>());
            Assert.Equal(alone["synced"]!.GetValue<long>(), month["synced"]!.GetValue<long>());
            Assert.Equal(alone["rate"]?.GetValue<double>(), month["rate"]?.GetValue<double>());
        }
    }

    [Fact]
    public async Task A_period_of_92_days_has_its_daily_series_and_no_monthly_one()
    {
        var quarter = await SyncRateAsync("from=2025-01-01&to=2025-04-02");
        Assert.NotEmpty(quarter["days"]!.AsArray());
        Assert.Empty(quarter["months"]!.AsArray());
    }
}
