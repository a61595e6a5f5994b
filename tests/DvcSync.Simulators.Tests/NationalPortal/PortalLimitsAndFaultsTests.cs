using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;

namespace DvcSync.Simulators.Tests.NationalPortal;

public class PortalLimitsAndFaultsTests
{
    [Fact]
    public async Task More_than_N_requests_in_one_second_get_429_with_Retry_After_and_sign_in_counts()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 0, o => o.PortalRateLimitPerSecond = 5);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync(); // 1
        for (var i = 0; i < 4; i++) // 2..5
            Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));

        var (status, _, response) = await portal.PostAsync("service", Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" }));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        var (authStatus, _, _) = await portal.PostAsync("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" });
        Assert.Equal(HttpStatusCode.TooManyRequests, authStatus);

        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await portal.PostAsync("service", Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" }))).Status);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));

        Assert.Equal(5, host.Portal.Histogram.PeakAcceptedPerSecond);
        Assert.Equal(8, host.Portal.Histogram.PeakReceivedPerSecond);
        Assert.Equal(3, host.Portal.Counters.OutcomeTotal("http-429"));
        Assert.Equal(7, host.Portal.Counters.Calls("TraCuuHoSo"));
        Assert.Equal(2, host.Portal.Counters.Calls("auth"));

        using var stats = await portal.Http.GetAsync("_sim/stats");
        var json = JsonNode.Parse(await stats.Content.ReadAsStringAsync())!;
        Assert.Equal(5, json["histogram"]!["peakAcceptedPerSecond"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_window_slides_rather_than_resetting_on_the_second()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 0, o => o.PortalRateLimitPerSecond = 2);
        await using var _h = host;
        using var portal = new Portal(host);
        clock.Set(clock.GetUtcNow().AddMilliseconds(900 - clock.GetUtcNow().Millisecond));
        var session = await portal.SignInAsync();
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));
        clock.Advance(TimeSpan.FromMilliseconds(200)); // next calendar second, same sliding window
        Assert.Equal(HttpStatusCode.TooManyRequests, (await portal.PostAsync("service", Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" }))).Status);
        host.Portal.RateLimitPerSecond = 0;
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));
    }

    [Fact]
    public async Task Forced_faults_apply_to_the_next_requests_without_restart()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var body = Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" });

        host.PortalFaults.FailNext(1, FaultKind.ServerError);
        host.PortalFaults.FailNext(1, FaultKind.TooManyRequests);
        host.PortalFaults.FailNext(1, FaultKind.SystemError);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await portal.PostAsync("service", body)).Status);
        var limited = await portal.PostAsync("service", body);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.NotNull(limited.Response.Headers.RetryAfter);
        var (status, reply, _) = await portal.PostAsync("service", body);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("99", Sim.Str(reply!["error_code"]));
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));
        Assert.Equal(1, host.PortalFaults.Injected(FaultKind.SystemError));
    }

    [Fact]
    public async Task A_switch_answers_every_request_400_error_code_1_until_it_is_off()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        var body = Portal.Body(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = "x" });

        using (var on = await portal.Http.PostAsync("_sim/faults", new StringContent("""{"refuseAsMalformed": true}""", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        foreach (var (path, request) in new[] { ("service", body), ("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" }) })
        {
            var (status, reply, _) = await portal.PostAsync(path, request);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("1", Sim.Str(reply!["error_code"]));
        }
        Assert.Equal(2, host.PortalFaults.Injected(FaultKind.Malformed));

        host.PortalFaults.Update(s => s with { RefuseAsMalformed = false });
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));
    }

    [Fact]
    public async Task A_99_answer_applies_nothing()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        var session = await portal.SignInAsync();
        host.PortalFaults.Update(s => s with { SystemErrorRate = 1 });
        Assert.Equal("99", Sim.Str((await portal.SyncAsync(session, false, PortalProtocolTests.Dossier()))["error_code"]));
        Assert.Equal(0, host.Portal.Count);
        host.PortalFaults.Reset();
        Assert.Equal("0", Sim.Str((await portal.SyncAsync(session, false, PortalProtocolTests.Dossier()))["error_code"]));
    }

    [Fact]
    public async Task Outage_window_answers_503_until_its_end_by_the_simulator_clock()
    {
        var (host, clock) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        using var set = await portal.Http.PostAsync("_sim/faults", new StringContent("""{"outageSeconds": 60}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var auth = new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" };
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await portal.PostAsync("auth", auth)).Status);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await portal.PostAsync("auth", auth)).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await portal.PostAsync("auth", auth)).Status);

        host.PortalFaults.StartOutage();
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await portal.PostAsync("auth", auth)).Status);
        host.PortalFaults.EndOutage();
        Assert.Equal(HttpStatusCode.OK, (await portal.PostAsync("auth", auth)).Status);
        Assert.Equal(3, host.PortalFaults.Injected(FaultKind.Outage));
    }

    [Fact]
    public async Task Fault_rates_are_reproducible_from_the_seed()
    {
        async Task<string> Run()
        {
            var (host, _) = await Sim.StartAsync(dossiers: 0);
            await using var _h = host;
            using var portal = new Portal(host);
            using var set = await portal.Http.PostAsync("_sim/faults",
                new StringContent("""{"seed": 7, "serverErrorRate": 0.3, "tooManyRequestsRate": 0.2, "serverErrorStatus": 502}""", Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            var sb = new StringBuilder();
            for (var i = 0; i < 40; i++)
                sb.Append((int)(await portal.PostAsync("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" })).Status).Append(' ');
            return sb.ToString();
        }

        var first = await Run();
        Assert.Equal(first, await Run());
        Assert.Contains("502", first);
        Assert.Contains("429", first);
        Assert.Contains("200", first);
    }

    [Fact]
    public async Task Bad_fault_settings_are_refused()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host);
        using var bad = await portal.Http.PostAsync("_sim/faults", new StringContent("""{"serverErrorRate": 0.7, "hangRate": 0.5}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(0, host.PortalFaults.Settings.ServerErrorRate);
    }

    [Fact]
    public async Task A_hang_makes_the_client_time_out_and_with_hang_after_processing_the_write_still_happened()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0);
        await using var _h = host;
        using var portal = new Portal(host, TimeSpan.FromMilliseconds(1500));
        var session = await portal.SignInAsync();
        host.PortalFaults.Update(s => s with { HangDuration = TimeSpan.FromSeconds(30), HangAfterProcessing = true });
        host.PortalFaults.FailNext(1, FaultKind.Hang);
        var d = PortalProtocolTests.Dossier();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => portal.SyncAsync(session, false, d));
        Assert.True(host.Portal.Holds(Sim.Str(d["MaHoSo"])));

        host.PortalFaults.Update(s => s with { HangAfterProcessing = false });
        host.PortalFaults.FailNext(1, FaultKind.Hang);
        var other = PortalProtocolTests.Dossier("00002");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => portal.SyncAsync(session, false, other));
        Assert.Equal("0", Sim.Str((await portal.LookupAsync(session, "x"))["error_code"]));
        Assert.False(host.Portal.Holds(Sim.Str(other["MaHoSo"])));
    }

    [Fact]
    public async Task Latency_is_added_to_every_call()
    {
        var (host, _) = await Sim.StartAsync(dossiers: 0, o => o.PortalLatency = TimeSpan.FromMilliseconds(150));
        await using var _h = host;
        using var portal = new Portal(host);
        var watch = Stopwatch.StartNew();
        await portal.SignInAsync();
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(140), watch.Elapsed.ToString());
        host.Portal.Latency = TimeSpan.Zero;
        host.PortalFaults.Update(s => s with { AddedLatency = TimeSpan.FromMilliseconds(150) });
        watch.Restart();
        await portal.SignInAsync();
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(140), watch.Elapsed.ToString());
    }
}
