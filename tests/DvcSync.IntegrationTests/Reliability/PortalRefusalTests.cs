using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Core.Ledger;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Seeding;
using Microsoft.Extensions.Logging;
using static DvcSync.IntegrationTests.Reliability.ReliabilityScenario;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>
/// A portal that answers every request HTTP 400 / "1" (as to a wrong dstcode or madonvi): a configuration error, not a
/// transient one. Health says what to check, the error is logged once for the episode, repairs wait without spending
/// attempts, and everything clears once a call succeeds again.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PortalRefusalTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_portal_refusing_requests_as_malformed_makes_health_unhealthy_until_a_call_succeeds_and_costs_no_attempts()
    {
        var logs = new LogCapture();
        await using var env = await SyncEnvironment.StartAsync(azurite, ReliabilityScenario.Simulators(seed: 909, dossiers: 80),
            ReliabilityScenario.Settings(), builder => builder.Logging.AddProvider(logs));
        await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(2));
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(2));
        var codes = new Queue<(string MaHoSo, string MaDonVi)>(env.Simulators.Truth.Entries
            .Where(e => e.Category == DossierCategory.Current).Select(e => (e.MaHoSo, e.MaHoSo[..e.MaHoSo.IndexOf('-')])));

        env.Simulators.PortalFaults.Update(f => f with { RefuseAsMalformed = true });
        // Operators resync dossiers while the portal refuses: each repair is refused or finds the circuit open, and waits.
        var deferred = new List<(string MaHoSo, LedgerEntry Before)>();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (env.Simulators.PortalFaults.Injected(FaultKind.Malformed) < 3 || deferred.Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {env.Simulators.PortalFaults.Injected(FaultKind.Malformed)} refusals and {deferred.Count} deferrals");
            var (maHoSo, maDonVi) = codes.Dequeue();
            var before = (await env.Ledger.GetAsync(maDonVi, maHoSo, CancellationToken.None))!;
            using (var resync = await env.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/dossiers/{maHoSo}/resync") { Headers = { { "x-functions-key", SyncEnvironment.AdminKey } } }))
                Assert.Equal(HttpStatusCode.Accepted, resync.StatusCode);
            await WaitUntilAsync(async () => (await env.Ledger.GetAsync(maDonVi, maHoSo, CancellationToken.None))?.LastError?.StartsWith("deferred:", StringComparison.Ordinal) == true,
                $"the repair of {maHoSo} to be deferred");
            deferred.Add((maHoSo, before));
        }

        var (status, health) = await HealthAsync(env);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("unhealthy", (string?)health["status"]);
        var problem = Assert.Single(health["problems"]!.AsArray(), p => ((string?)p)!.Contains("refuses this project's requests as malformed", StringComparison.Ordinal));
        Assert.Contains("NationalPortal:DstCode", (string?)problem);
        Assert.Contains("NationalPortal:MaDonVi", (string?)problem);
        Assert.Contains("HTTP 400", (string?)health["portal"]!["refusal"]);
        Assert.Equal("open", (string?)health["portal"]!["circuit"]);
        foreach (var (maHoSo, before) in deferred)
        {
            var entry = (await env.Ledger.GetAsync(before.MaDonVi, maHoSo, CancellationToken.None))!;
            Assert.Equal(before.Attempts, entry.Attempts);
            Assert.Equal(before.FailingSince, entry.FailingSince);
        }
        // Several calls were refused; the error is logged once, for the episode.
        Assert.Single(logs.Lines(), l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("refuses this project's requests as malformed", StringComparison.Ordinal));

        env.Simulators.PortalFaults.Update(f => f with { RefuseAsMalformed = false });
        // The next call after the break succeeds: the refusal is over for every instance's health.
        await WaitUntilAsync(async () =>
        {
            var (maHoSo, _) = codes.Dequeue();
            using (await env.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/dossiers/{maHoSo}/resync") { Headers = { { "x-functions-key", SyncEnvironment.AdminKey } } })) { }
            var (now, answer) = await HealthAsync(env);
            return now == HttpStatusCode.OK && answer["portal"]!["refusal"] is null;
        }, "health to clear once the portal answers again");
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> HealthAsync(SyncEnvironment env)
    {
        using var answer = await env.Http.SendAsync(env.Get("/api/health"));
        return (answer.StatusCode, JsonNode.Parse(await answer.Content.ReadAsStringAsync())!);
    }
}
