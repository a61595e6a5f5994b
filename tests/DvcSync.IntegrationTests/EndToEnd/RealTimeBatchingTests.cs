using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>
/// Changes whose own pushes were lost, found by one reconciliation cycle: their repairs leave as one batch, the portal
/// applies them several dossiers per <c>DongBoHoSoMC</c> call, and health shows the confirmations' freshness.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RealTimeBatchingTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_cycles_lost_changes_go_out_together_several_dossiers_per_DongBoHoSoMC_call_and_health_shows_their_freshness()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions { DossierCount = 200, Seed = 1414 });
        await env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(2));
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(2));
        var appliedBefore = env.Simulators.Portal.Counters.DossiersApplied;
        var callsBefore = env.Simulators.Portal.Counters.ApplyingCalls;

        // Dossiers move on at the source and the province's pushes of them are lost: the portal keeps the old versions.
        // Their due dates move a day (a date the portal's copy is compared on).
        var changed = env.Simulators.Provincial.Codes()
            .Where(code => env.Simulators.ComparePortalCopy(code) == PortalCopyState.Current && DueDate(env, code) is not null)
            .Take(40).ToList();
        Assert.True(changed.Count >= 20, $"only {changed.Count} dossiers could move on");
        foreach (var code in changed)
        {
            var due = DueDate(env, code)!.Value.AddDays(1).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
            env.Simulators.Provincial.Change(code, dossier => dossier["NgayHenTra"] = due);
        }
        Assert.All(changed, code => Assert.NotEqual(PortalCopyState.Current, env.Simulators.ComparePortalCopy(code)));

        // One cycle finds them all (the host's own timer may hold the lease at that moment: then its run does).
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (changed.Any(code => env.Simulators.ComparePortalCopy(code) != PortalCopyState.Current))
        {
            Assert.True(DateTime.UtcNow < deadline, "the lost changes did not reach the portal within a minute");
            await env.ReconcileAsync();
            await env.WaitForRepairsAsync(TimeSpan.FromMinutes(1));
        }

        Assert.All(changed, code => Assert.Equal(PortalCopyState.Current, env.Simulators.ComparePortalCopy(code)));
        var applied = env.Simulators.Portal.Counters.DossiersApplied - appliedBefore;
        var calls = env.Simulators.Portal.Counters.ApplyingCalls - callsBefore;
        Assert.Equal(changed.Count, applied);
        Assert.True(applied >= 5.0 * calls, $"{applied} dossiers applied in {calls} DongBoHoSoMC calls");

        using var answer = await env.Http.SendAsync(env.Get("/api/health"));
        var freshness = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["freshness"]!;
        Assert.True(freshness["count"]!.GetValue<long>() >= changed.Count, freshness.ToJsonString());
        Assert.Equal(0, freshness["waitingRepairs"]!.GetValue<long>());
        Assert.Null(freshness["oldestWaitingSince"]?.GetValue<string>());
    }

    private static DateTime? DueDate(SyncEnvironment env, string code) =>
        env.Simulators.Provincial.GetDossier(code)?["NgayHenTra"] is JsonValue value && value.TryGetValue<string>(out var text)
        && DateTime.TryParseExact(text, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var due)
            ? due : null;
}
