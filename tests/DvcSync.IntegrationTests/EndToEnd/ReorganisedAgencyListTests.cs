using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>
/// After the July 2025 reorganisation the provincial list no longer names the abolished districts and their wards,
/// while their dossiers stay (provincial-system.md, Agencies): their figures must not drop out of the province's.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReorganisedAgencyListTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan ListFreshness = TimeSpan.FromMinutes(11);

    [Fact]
    public async Task An_agency_the_list_stops_naming_still_counts_for_the_province_and_its_remembered_district()
    {
        var clock = new ShiftedClock(new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)));
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions
        {
            Seed = 20250401,
            DossierCount = 600,
            ScenarioNow = clock.GetUtcNow(),
            TimeProvider = clock,
            PortalRateLimitPerSecond = 300,
        });
        await env.ReconcileAsync();
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(3));
        var agencies = env.Simulators.Provincial.Agencies;
        var province = agencies.Single(a => a.Cap == "TINH").MaDonVi;
        var district = agencies.Where(a => a.Cap == "HUYEN")
            .OrderByDescending(d => env.Simulators.Truth.Entries.Count(e => e.MaDonVi == d.MaDonVi || agencies.Any(w => w.MaDonVi == e.MaDonVi && w.MaDonViCha == d.MaDonVi)))
            .First().MaDonVi;
        var before = await SyncRateAsync(env, province);
        var districtBefore = await SyncRateAsync(env, district);
        Assert.True(districtBefore.Received > 0, "the busiest old district received nothing from April to June");

        using (var unlist = await env.Http.PostAsJsonAsync($"{env.Simulators.ProvincialBaseUrl}/_sim/donvi/unlist", new { cap = new[] { "HUYEN" } }))
            Assert.Equal(HttpStatusCode.OK, unlist.StatusCode);
        Assert.DoesNotContain(env.Simulators.Provincial.ListedAgencies, a => a.Cap == "HUYEN" || a.MaDonViCha == district);
        clock.Advance(ListFreshness); // the host reads the list again

        var after = await SyncRateAsync(env, province);
        Assert.Equal((before.Received, before.Synced), (after.Received, after.Synced));
        var districtRow = after.Rows.Single(r => r["agency"]!.GetValue<string>() == district);
        Assert.False(districtRow["listed"]!.GetValue<bool>());
        Assert.Equal(districtBefore.Received, districtRow["received"]!.GetValue<long>());
        var districtAfter = await SyncRateAsync(env, district);
        Assert.Equal((districtBefore.Received, districtBefore.Synced), (districtAfter.Received, districtAfter.Synced));
    }

    private static async Task<(long Received, long Synced, List<JsonNode> Rows)> SyncRateAsync(SyncEnvironment env, string agency)
    {
        using var response = await env.Http.SendAsync(env.Get($"/api/indicators/sync-rate?from=2025-04-01&to=2025-06-30&agency={agency}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var body = JsonNode.Parse(text)!;
        return (body["received"]!.GetValue<long>(), body["synced"]!.GetValue<long>(), body["agencies"]!.AsArray().Select(r => r!).ToList());
    }
}
