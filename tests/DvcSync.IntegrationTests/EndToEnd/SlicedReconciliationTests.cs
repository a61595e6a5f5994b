using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Api;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.IntegrationTests.EndToEnd;

/// <summary>
/// A first reconciliation longer than its budget, as on the Functions host: each slice checkpoints and saves its
/// progress, /api/health reads it as catching up rather than dead, and the slices together read the whole window.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SlicedReconciliationTests(AzuriteFixture azurite)
{
    /// <summary>Room for the first run's copy of the received counts and a few pages, not for the whole window.</summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Slices_of_a_long_first_run_catch_up_and_finish_with_health_saying_so_meanwhile()
    {
        // A province whose history is a few weeks old (placed relative to now), read through a slow provincial system.
        var now = DateTimeOffset.UtcNow;
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions
        {
            Seed = 71,
            DossierCount = 120,
            ScenarioStart = new DateTimeOffset(DateOnly.FromDateTime(now.AddDays(-20).UtcDateTime).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7)),
            ScenarioNow = now,
            PortalRateLimitPerSecond = 300,
            ProvincialLatency = TimeSpan.FromSeconds(1), // a page of 10 takes over a second: 12 pages do not fit in one budget
        }, new Dictionary<string, string?> { ["Sync:PageSize"] = "10" });
        var reconcile = env.App.Services.GetRequiredService<IReconcileHandler>();
        var state = env.App.Services.GetRequiredService<IPipelineState>();

        var first = await reconcile.RunSliceAsync(Budget, CancellationToken.None);
        Assert.Null(first!.FinishedAt);
        Assert.Null(first.Error);
        Assert.True(first.ReadUpTo is not null, "the first slice checkpointed no page: " + first);
        Assert.Equal(first.ReadUpTo, (await state.GetWatermarkAsync(CancellationToken.None))!.ReadUpTo);

        var health = (await ApiAnswer.GetAsync(env.Http, "/api/health")).Json;
        Assert.Equal("degraded", health["status"]!.GetValue<string>());
        Assert.True(health["reconciliation"]!["catchingUp"]!.GetValue<bool>());
        Assert.NotNull(health["reconciliation"]!["readUpTo"]);
        Assert.Contains(health["problems"]!.AsArray(), p => p!.GetValue<string>().StartsWith("catching up", StringComparison.Ordinal));

        var slices = 1;
        ReconcileRun? last;
        do
        {
            last = await reconcile.RunSliceAsync(Budget, CancellationToken.None);
            slices++;
        }
        while (last!.FinishedAt is null && slices < 200);

        Assert.NotNull(last.FinishedAt);
        foreach (var entry in env.Simulators.Truth.Entries)
            Assert.NotNull(await env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
        health = (await ApiAnswer.GetAsync(env.Http, "/api/health")).Json;
        Assert.Equal("healthy", health["status"]!.GetValue<string>());
        Assert.False(health["reconciliation"]!["catchingUp"]!.GetValue<bool>());
    }
}
