using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.IntegrationTests.EndToEnd;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators.Seeding;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// The scorecard route on a reconciled and repaired province (Azurite, both simulators, the standalone host): its
/// figures equal a recomputation from what the two simulated systems hold (<see cref="ScorecardTruth"/>), and its 1.4
/// equals the sync-rate route's for the same query.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ScorecardRouteTests(ReconciledProvinceFixture fixture)
{
    private readonly SyncEnvironment _env = fixture.Env;

    public static TheoryData<string, string, string> Queries => new()
    {
        { "TINH", "2025-01-01", "2025-12-31" },
        { "TINH", "2025-03-01", "2025-03-31" },
        { "TINH", "2025-06-15", "2025-07-15" },
        { "SO", "2025-01-01", "2025-12-31" },
        { "HUYEN", "2025-01-01", "2025-06-30" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task The_scorecard_equals_a_recomputation_from_what_both_systems_hold(string level, string from, string to)
    {
        var agency = Busiest(level);
        var body = await GetAsync($"/api/indicators/scorecard?from={from}&to={to}&agency={agency}");
        var expected = ScorecardTruth.Compute(_env.Simulators.Provincial, _env.Simulators.Portal, agency,
            DateOnly.Parse(from), DateOnly.Parse(to), VnTime.Day(DateTimeOffset.UtcNow));

        Assert.Equal(agency, body["agency"]!.GetValue<string>());
        var indicators = body["indicators"]!.AsArray();
        Assert.Equal(expected.Indicators.Select(i => i.Id), indicators.Select(i => i!["id"]!.GetValue<string>()));
        foreach (var (truth, answer) in expected.Indicators.Zip(indicators))
        {
            Assert.True(answer!["measured"]!.GetValue<bool>(), $"{truth.Id}: {answer["reason"]}");
            foreach (var (side, figures) in new[] { ("source", truth.Source!), ("portal", truth.Portal!) })
            {
                var got = answer[side]!;
                Assert.True(figures.Numerator == got["numerator"]!.GetValue<long>() && figures.Denominator == got["denominator"]!.GetValue<long>(),
                    $"{truth.Id} {side}: expected {figures.Numerator}/{figures.Denominator}, got {got.ToJsonString()}");
                Assert.Equal(figures.Points, got["points"]!.GetValue<double>(), 9);
            }
            Assert.Equal(truth.PointsLostToSync!.Value, answer["pointsLostToSync"]!.GetValue<double>(), 9);
        }

        var rows = body["agencies"]!.AsArray();
        Assert.Equal(expected.Agencies.Select(a => (a.MaDonVi, a.Unsynced)),
            rows.Select(r => (r!["agency"]!.GetValue<string>(), r["unsynced"]!.GetValue<long>())));
        foreach (var (truth, row) in expected.Agencies.Zip(rows))
            Assert.Equal(truth.PointsLostToSync, row!["pointsLostToSync"]!.GetValue<double>(), 9);
    }

    [Fact]
    public void The_recomputation_sees_what_sync_costs_so_the_comparison_above_can_fail()
    {
        var root = Busiest("TINH");
        var truth = ScorecardTruth.Compute(_env.Simulators.Provincial, _env.Simulators.Portal, root,
            new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), VnTime.Day(DateTimeOffset.UtcNow));
        var syncRate = truth.Indicators.Single(i => i.Id == Scorecard766.SyncRate);
        Assert.True(syncRate.Portal!.Numerator < syncRate.Source!.Numerator, "the refused dossiers should be missing from the portal");
        Assert.True(truth.Indicators.All(i => i.Source!.Denominator > 0), "every indicator has a population");
        Assert.Contains(truth.Agencies, a => a.Unsynced > 0);
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task The_scorecards_1_4_is_the_sync_rate_routes_for_the_same_query(string level, string from, string to)
    {
        var agency = Busiest(level);
        var scorecard = await GetAsync($"/api/indicators/scorecard?from={from}&to={to}&agency={agency}");
        var syncRate = await GetAsync($"/api/indicators/sync-rate?from={from}&to={to}&agency={agency}");

        var indicator = scorecard["indicators"]!.AsArray().Single(i => i!["id"]!.GetValue<string>() == "1.4")!;
        var portal = indicator["portal"]!;
        Assert.Equal(syncRate["received"]!.GetValue<long>(), portal["denominator"]!.GetValue<long>());
        Assert.Equal(syncRate["synced"]!.GetValue<long>(), portal["numerator"]!.GetValue<long>());
        Assert.Equal(syncRate["rate"]?.GetValue<double>(), portal["rate"]?.GetValue<double>());
        Assert.Equal(syncRate["points"]!.GetValue<double>(), portal["points"]!.GetValue<double>());
        Assert.Equal(syncRate["maxPoints"]!.GetValue<double>(), indicator["maxPoints"]!.GetValue<double>());
        Assert.Equal(syncRate["asOf"]?.GetValue<string>(), scorecard["asOf"]?.GetValue<string>());
        Assert.True(syncRate["received"]!.GetValue<long>() > 0);
    }

    private async Task<JsonNode> GetAsync(string pathAndQuery)
    {
        using var response = await _env.Http.SendAsync(_env.Get(pathAndQuery));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private string Busiest(string level)
    {
        var counts = _env.Simulators.Truth.Entries.GroupBy(e => e.MaDonVi).ToDictionary(g => g.Key, g => g.Count());
        var agencies = _env.Simulators.Provincial.Agencies;
        if (level == "TINH") return agencies.Single(a => a.Cap == "TINH").MaDonVi;
        return agencies.Where(a => a.Cap == level).OrderByDescending(a => counts.GetValueOrDefault(a.MaDonVi)).First().MaDonVi;
    }
}
