using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Application.Audit;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Api;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Simulators.Seeding;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DvcSync.IntegrationTests.Audit;

/// <summary>
/// The full audit on real parts: it looks up what the steady-state reconciliation no longer looks at, finds what the
/// portal lost after the ledger confirmed it, reports its progress, and resumes after a stop without asking the
/// portal twice about a dossier it has recorded.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly DateOnly From = new(2025, 1, 1);
    private static readonly DateOnly To = new(2025, 12, 31);

    private static SimulatorOptions Province(int seed, int latencyMilliseconds = 0) => new()
    {
        Seed = seed,
        DossierCount = 600,
        ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
        PortalRateLimitPerSecond = 300,
        PortalLatency = TimeSpan.FromMilliseconds(latencyMilliseconds),
    };

    [Fact]
    public async Task An_audit_finds_what_the_portal_lost_after_the_ledger_confirmed_it_and_the_repair_puts_it_back()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 501), new Dictionary<string, string?> { ["Sync:PageSize"] = "50" });
        await env.ReconcileAsync();
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(3));

        // The portal loses dossiers the ledger holds as synced: nothing changes at the source, so no reconciliation looks again.
        var lost = new List<TruthEntry>();
        foreach (var entry in env.Simulators.Truth.Entries.Where(e => e.HasValidNgayTiepNhan && InPeriod(e)))
        {
            if (lost.Count == 9) break;
            if (await env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None) is { State: SyncState.Synced } && env.Simulators.Portal.Remove(entry.MaHoSo))
                lost.Add(entry);
        }
        Assert.Equal(9, lost.Count);
        env.Simulators.Portal.ResetStatistics();
        var steady = await env.ReconcileAsync();
        Assert.Equal(0, steady!.PortalLookups);
        Assert.All(lost, e => Assert.False(env.Simulators.PortalHolds(e.MaHoSo)));

        var requested = await ApiAnswer.PostAsync(env.Http, $"/api/audits?from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.Accepted, requested.Status);
        var finished = await WaitForAuditAsync(env, "finished");
        output.WriteLine(finished.ToJsonString());

        var inPeriod = env.Simulators.Truth.Entries.Count(e => e.HasValidNgayTiepNhan && InPeriod(e));
        Assert.Equal(inPeriod, finished["done"]!.GetValue<long>());
        Assert.Equal(inPeriod, finished["total"]!.GetValue<long>());
        Assert.Equal(100.0, finished["percent"]!.GetValue<double>());
        Assert.Equal(env.Simulators.Truth.Entries.Count, finished["read"]!.GetValue<long>());
        // Every dossier of the period looked up once, and nothing else.
        Assert.Equal(inPeriod, finished["portalLookups"]!.GetValue<long>());
        Assert.Equal(inPeriod, env.Simulators.Portal.Counters.Calls("TraCuuHoSo"));
        Assert.Equal(lost.Count, finished["mismatches"]!.GetValue<long>());
        Assert.Equal(lost.Count, finished["repairsQueued"]!.GetValue<long>());
        Assert.Equal(0, finished["secondsLeft"]!.GetValue<double>());

        var health = await ApiAnswer.GetAsync(env.Http, "/api/health");
        Assert.Equal("finished", health.Json["audit"]!["status"]!.GetValue<string>());
        Assert.Equal(finished["id"]!.GetValue<string>(), health.Json["audit"]!["id"]!.GetValue<string>());

        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(2));
        Assert.All(lost, e => Assert.Equal(PortalCopyState.Current, env.Simulators.ComparePortalCopy(e.MaHoSo)));
        await env.AssertLedgerCountsEqualRecountAsync();
    }

    [Fact]
    public async Task An_audit_of_one_agency_checks_only_that_agency_and_those_below_it()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 502));
        var department = env.Simulators.Provincial.Agencies.Where(a => a.Cap == "SO")
            .OrderByDescending(a => env.Simulators.Truth.Entries.Count(e => e.MaDonVi == a.MaDonVi)).First().MaDonVi;
        var subtree = Subtree(env, department);

        var requested = await ApiAnswer.PostAsync(env.Http, $"/api/audits?from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}&agency={department}");
        Assert.Equal(HttpStatusCode.Accepted, requested.Status);
        var finished = await WaitForAuditAsync(env, "finished");

        var expected = env.Simulators.Truth.Entries.Where(e => subtree.Contains(e.MaDonVi) && e.HasValidNgayTiepNhan && InPeriod(e)).ToList();
        Assert.True(expected.Count > 10, $"only {expected.Count} dossiers in {department}'s subtree");
        Assert.Equal(department, finished["agency"]!.GetValue<string>());
        Assert.Equal(expected.Count, finished["done"]!.GetValue<long>());
        Assert.Equal(expected.Count, env.Simulators.Portal.Counters.Calls("TraCuuHoSo"));
        // The ledger was empty: the audit is what recorded each of them (and queued what the portal misses).
        foreach (var entry in expected)
            Assert.NotNull(await env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
        Assert.Equal(expected.Count(e => !e.PortalCurrentAtStart), finished["mismatches"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_audit_stopped_part_way_resumes_from_its_last_page_without_asking_the_portal_again_about_what_it_recorded()
    {
        // Slow answers and small pages, so the stop comes with pages done, pages in flight and pages not yet read.
        var options = Province(seed: 503, latencyMilliseconds: 20);
        await using var env = await SyncEnvironment.StartAsync(azurite, options, new Dictionary<string, string?>
        {
            ["Sync:PageSize"] = "40",
            ["Sync:LookupConcurrency"] = "8",
        }, WithoutTheHostsAuditRunner);
        // This test runs the slices itself, as the standalone command or the Functions timer would.
        var handler = env.App.Services.GetRequiredService<IAuditHandler>();
        await handler.RequestAsync(new AuditRequest(From, To, null), CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var firstSlice = handler.RunAsync(stop.Token);
        // Stopped once two pages are recorded, with more in flight behind them.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await handler.GetCurrentAsync(CancellationToken.None))!.PagesDone < 2)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the audit did not record two pages");
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => firstSlice);

        var paused = (await handler.GetCurrentAsync(CancellationToken.None))!;
        var lookupsBeforeStop = env.Simulators.Portal.Counters.Calls("TraCuuHoSo");
        Assert.Equal(AuditStatus.Running, paused.Status);
        Assert.True(paused.PagesDone >= 2, $"{paused.PagesDone} pages recorded");
        Assert.True(paused.Cursor is not null, "the stop came after the last page");
        Assert.True(paused.Done < paused.Total, $"{paused.Done} of {paused.Total} done before the stop");

        var finished = (await handler.RunAsync(CancellationToken.None))!;
        Assert.Equal(AuditStatus.Finished, finished.Status);
        var inPeriod = env.Simulators.Truth.Entries.Count(e => e.HasValidNgayTiepNhan && InPeriod(e));
        Assert.Equal(inPeriod, finished.Done);
        // A dossier recorded before the stop is not looked up again; only the look-ups cut off in flight are repeated.
        var total = env.Simulators.Portal.Counters.Calls("TraCuuHoSo");
        output.WriteLine($"stopped after {lookupsBeforeStop} look-ups, {paused.Done} dossiers done; {total} look-ups for {inPeriod} dossiers in all");
        Assert.InRange(total, inPeriod, inPeriod + 8);
        foreach (var entry in env.Simulators.Truth.Entries.Where(e => e.HasValidNgayTiepNhan && InPeriod(e)))
            Assert.NotNull(await env.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(2));
        await env.AssertLedgerCountsEqualRecountAsync();
    }

    [Fact]
    public async Task Progress_shows_between_page_checkpoints_with_call_rate_and_time_left()
    {
        // One page of 500 at 20 calls a second takes 25 s: the figures must move well before it completes.
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 505), new Dictionary<string, string?>
        {
            ["Sync:PageSize"] = "500",
            ["NationalPortal:MaxRequestsPerSecond"] = "20",
        });
        var store = env.App.Services.GetRequiredService<IAuditStore>();
        Assert.Equal(HttpStatusCode.Accepted, (await ApiAnswer.PostAsync(env.Http, "/api/audits?from=2025-01-01&to=2025-12-31")).Status);

        JsonNode live;
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while ((live = (await ApiAnswer.GetAsync(env.Http, "/api/audits/current")).Json)["done"]!.GetValue<long>() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no progress shown: " + live.ToJsonString());
            await Task.Delay(200);
        }
        var stored = (await store.GetAsync(CancellationToken.None))!;
        Assert.Equal(0, stored.PagesDone); // still on the first page: the count is the live one
        Assert.Equal(0, stored.Done);
        Assert.True(live["portalLookups"]!.GetValue<long>() >= live["done"]!.GetValue<long>());
        Assert.InRange(live["callRate"]!.GetValue<double>(), 1, 20);
        Assert.True(live["secondsLeft"]!.GetValue<double>() > 0, live.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await ApiAnswer.SendAsync(env.Http, HttpMethod.Delete, "/api/audits/current", KeyUse.AdminHeader)).Status);
    }

    [Fact]
    public async Task A_cancelled_audit_stops_at_its_next_page_and_a_new_one_can_be_requested()
    {
        var options = Province(seed: 504, latencyMilliseconds: 20);
        await using var env = await SyncEnvironment.StartAsync(azurite, options, new Dictionary<string, string?> { ["Sync:PageSize"] = "20", ["Sync:LookupConcurrency"] = "4" });

        Assert.Equal(HttpStatusCode.Accepted, (await ApiAnswer.PostAsync(env.Http, "/api/audits?from=2025-01-01&to=2025-12-31")).Status);
        await WaitUntilAsync(() => env.Simulators.Portal.Counters.Calls("TraCuuHoSo") >= 30, "the audit to be under way");
        var cancelled = await ApiAnswer.SendAsync(env.Http, HttpMethod.Delete, "/api/audits/current", KeyUse.AdminHeader);
        Assert.Equal(HttpStatusCode.OK, cancelled.Status);
        Assert.Equal("cancelled", cancelled.Json["status"]!.GetValue<string>());

        // The runner notices at its next checkpoint: the look-ups stop, well short of the period.
        var quiet = await WaitForQuietAsync(env);
        var inPeriod = env.Simulators.Truth.Entries.Count(e => e.HasValidNgayTiepNhan && InPeriod(e));
        Assert.True(quiet < inPeriod / 2, $"{quiet} look-ups for {inPeriod} dossiers: the audit went on after it was cancelled");
        var current = await ApiAnswer.GetAsync(env.Http, "/api/audits/current");
        Assert.Equal("cancelled", current.Json["status"]!.GetValue<string>());
        Assert.True(current.Json["done"]!.GetValue<long>() < inPeriod);

        var again = await ApiAnswer.PostAsync(env.Http, "/api/audits?from=2025-06-01&to=2025-06-30");
        Assert.Equal(HttpStatusCode.Accepted, again.Status);
        Assert.NotEqual(cancelled.Json["id"]!.GetValue<string>(), again.Json["id"]!.GetValue<string>());
        await WaitForAuditAsync(env, "finished");
    }

    [Fact]
    public async Task An_audit_stored_with_a_period_outside_the_supported_dates_ends_with_the_reason_and_another_can_be_requested()
    {
        // Audits from year 1 could be requested before periods were checked; each slice then failed, for ever.
        await using var env = await SyncEnvironment.StartAsync(azurite, Province(seed: 505), configure: WithoutTheHostsAuditRunner);
        var store = env.App.Services.GetRequiredService<IAuditStore>();
        var handler = env.App.Services.GetRequiredService<IAuditHandler>();
        var now = env.App.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        AuditJob FromYear1(string id) => new()
        {
            Id = id, From = new DateOnly(1, 1, 1), To = new DateOnly(1, 12, 31), Status = AuditStatus.Queued,
            RequestedAt = now, ReadUpTo = now, UpdatedAt = now,
        };
        Assert.NotNull(await store.TrySaveAsync(null, FromYear1("year-1-a"), CancellationToken.None));

        // A slice (the standalone runner, the command or the Functions timer) ends it instead of failing.
        var ended = await handler.RunAsync(CancellationToken.None);
        Assert.Equal(AuditStatus.Cancelled, ended!.Status);
        Assert.Contains("1970-01-01 to 2099-12-31", ended.Error);
        var current = (await ApiAnswer.GetAsync(env.Http, "/api/audits/current")).AssertOk();
        Assert.Equal("cancelled", current["status"]!.GetValue<string>());
        Assert.Contains("outside the supported dates", current["error"]!.GetValue<string>());
        Assert.Equal(0, env.Simulators.Provincial.Counters.Calls("hoso-list"));

        // One still active when an operator asks for a new audit is ended there and then.
        await store.TrySaveAsync(ended, FromYear1("year-1-b"), CancellationToken.None);
        var requested = await ApiAnswer.PostAsync(env.Http, $"/api/audits?from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}");
        Assert.Equal("queued", requested.AssertOk(HttpStatusCode.Accepted)["status"]!.GetValue<string>());
    }

    private static void WithoutTheHostsAuditRunner(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) =>
        builder.Services.Remove(builder.Services.Single(d => d.ImplementationType == typeof(DvcSync.Standalone.Hosting.AuditRunner)));

    private static bool InPeriod(TruthEntry entry) =>
        entry.ReceivedAt is { } at && VnTime.Day(at) is var day && day >= From && day <= To;

    private static HashSet<string> Subtree(SyncEnvironment env, string root)
    {
        var agencies = env.Simulators.Provincial.Agencies;
        var subtree = new HashSet<string> { root };
        for (var grown = true; grown;)
        {
            grown = false;
            foreach (var agency in agencies)
                if (agency.MaDonViCha is { } parent && subtree.Contains(parent) && subtree.Add(agency.MaDonVi)) grown = true;
        }
        return subtree;
    }

    private static async Task<JsonNode> WaitForAuditAsync(SyncEnvironment env, string status)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var current = await ApiAnswer.GetAsync(env.Http, "/api/audits/current");
            if (current.Status == HttpStatusCode.OK && current.Json["status"]!.GetValue<string>() == status) return current.Json;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the audit is not {status}: {current}");
            await Task.Delay(200);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited too long for " + what);
            await Task.Delay(20);
        }
    }

    /// <summary>The look-up count once it has stopped moving for a second (the runner's in-flight page has drained).</summary>
    private static async Task<long> WaitForQuietAsync(SyncEnvironment env)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        var last = env.Simulators.Portal.Counters.Calls("TraCuuHoSo");
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < TimeSpan.FromSeconds(1))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the audit kept looking dossiers up after it was cancelled");
            await Task.Delay(100);
            var now = env.Simulators.Portal.Counters.Calls("TraCuuHoSo");
            if (now != last) (last, since) = (now, DateTime.UtcNow);
        }
        return last;
    }
}
