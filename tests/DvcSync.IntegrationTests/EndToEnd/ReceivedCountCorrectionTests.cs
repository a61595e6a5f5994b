using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DvcSync.Application.Reconciliation;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>The provincial system corrects the received count of a month long past: the figure follows within a day.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReceivedCountCorrectionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_late_correction_of_an_older_month_reaches_the_figure_within_a_day_of_runs()
    {
        var clock = new ShiftedClock(new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)));
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions
        {
            Seed = 20250210,
            DossierCount = 300,
            ScenarioNow = clock.GetUtcNow(),
            TimeProvider = clock,
            PortalRateLimitPerSecond = 300,
        });
        await env.ReconcileAsync();
        var province = env.Simulators.Provincial.Agencies.Single(a => a.Cap == "TINH").MaDonVi;
        var february = env.Simulators.Provincial.ReceivedCounts(new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 28)).First();
        var before = await ReceivedAsync(env, province);
        Assert.Equal(env.Simulators.Provincial.ReceivedTotal(new DateOnly(2025, 2, 1), new DateOnly(2025, 2, 28)), before);

        using (var correct = await env.Http.PostAsJsonAsync($"{env.Simulators.ProvincialBaseUrl}/_sim/thongke/correct",
                   new { maDonVi = february.MaDonVi, ngay = february.Ngay.ToString("yyyy-MM-dd"), delta = 5 }))
            Assert.Equal(HttpStatusCode.OK, correct.StatusCode);

        // A day of scheduled runs, one in each slot of the day, the clock moved rather than waited for.
        for (var slot = 0; slot < ReceivedCountRefresh.SlotsPerDay; slot++)
        {
            clock.Advance(TimeSpan.FromHours(24.0 / ReceivedCountRefresh.SlotsPerDay));
            await env.ReconcileAsync();
        }

        Assert.Equal(before + 5, await ReceivedAsync(env, province));
    }

    private static async Task<long> ReceivedAsync(SyncEnvironment env, string agency)
    {
        using var response = await env.Http.SendAsync(env.Get($"/api/indicators/sync-rate?from=2025-02-01&to=2025-02-28&agency={agency}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!["received"]!.GetValue<long>();
    }
}
