using System.Text.Json.Nodes;
using DvcSync.Core.Ports;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>The portal simulator's HTTP surface: <c>POST /auth</c>, <c>POST /service</c> and the <c>/_sim</c> control routes.</summary>
internal sealed class PortalServer(PortalState state, CancellationToken stopping)
{
    public static void Map(WebApplication app, PortalState state, GroundTruth? truth)
    {
        var server = new PortalServer(state, app.Lifetime.ApplicationStopping);
        app.MapPost("/auth", ctx => server.HandleAsync(ctx, isAuth: true));
        app.MapPost("/service", ctx => server.HandleAsync(ctx, isAuth: false));
        server.MapControl(app, truth);
    }

    private async Task HandleAsync(HttpContext ctx, bool isAuth)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var ct = cts.Token;
        // A gateway counts a request when it arrives, not when the handler has finished reading its body.
        var now = state.Clock.GetUtcNow();
        var service = isAuth ? "auth" : "(invalid)";
        var counted = false;
        try
        {
            var body = await SimJson.TryParseAsync(ctx.Request.Body, ct).ConfigureAwait(false) as JsonObject;
            if (!isAuth && body is not null)
                service = SimJson.Str(body, "service") is { Length: > 0 } s ? s : "(none)";
            state.Counters.Received(service);
            counted = true;
            state.Histogram.RecordReceived(now);

            if (state.Faults.OutageActive)
            {
                state.Faults.CountOutage();
                await AnswerAsync(ctx, service, 503, null, null, ct).ConfigureAwait(false);
                return;
            }
            if (!state.RateLimiter.TryAcquire(now, state.RateLimitPerSecond, out var retryAfter))
            {
                await AnswerAsync(ctx, service, 429, TooMany(), retryAfter, ct).ConfigureAwait(false);
                return;
            }
            state.Histogram.RecordAccepted(now);

            var faults = state.Faults.Settings;
            await FaultPipeline.DelayAsync(state.Latency + faults.AddedLatency, ct).ConfigureAwait(false);
            switch (state.Faults.Decide(systemErrorApplies: !isAuth, portal: true))
            {
                case FaultKind.ServerError:
                    await AnswerAsync(ctx, service, faults.ServerErrorStatus, null, null, ct).ConfigureAwait(false);
                    return;
                case FaultKind.TooManyRequests:
                    await AnswerAsync(ctx, service, 429, TooMany(), faults.RetryAfterSeconds, ct).ConfigureAwait(false);
                    return;
                case FaultKind.SystemError:
                    await AnswerAsync(ctx, service, 200, state.SystemError(body), null, ct).ConfigureAwait(false);
                    return;
                case FaultKind.Malformed:
                    await AnswerAsync(ctx, service, 400, PortalMessages.Reply("1", PortalMessages.Malformed), null, ct).ConfigureAwait(false);
                    return;
                case FaultKind.Hang when faults.HangAfterProcessing:
                {
                    var (status, reply) = Process(ctx, body, isAuth);
                    await Task.Delay(faults.HangDuration, ct).ConfigureAwait(false);
                    await AnswerAsync(ctx, service, status, reply, null, ct).ConfigureAwait(false);
                    return;
                }
                case FaultKind.Hang:
                    await Task.Delay(faults.HangDuration, ct).ConfigureAwait(false);
                    break;
            }

            var (code, answer) = Process(ctx, body, isAuth);
            await AnswerAsync(ctx, service, code, answer, null, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (!counted) state.Counters.Received(service);
            state.Counters.Answered(service, "aborted");
        }
    }

    private (int Status, JsonObject Reply) Process(HttpContext ctx, JsonObject? body, bool isAuth)
    {
        var dstcode = ctx.Request.Headers["dstcode"].ToString();
        if (string.IsNullOrWhiteSpace(dstcode)) return BadRequest("Thiếu header dstcode");
        if (dstcode != state.DstCode) return BadRequest($"dstcode '{dstcode}' không hợp lệ");
        if (body is null) return BadRequest("Nội dung yêu cầu không phải JSON hợp lệ");
        if (isAuth) return (200, state.SignIn(SimJson.Str(body, "username"), SimJson.Str(body, "password")));

        var service = SimJson.Str(body, "service");
        if (service is null || !PortalServices.All.Contains(service)) return BadRequest($"Dịch vụ '{service}' không được hỗ trợ");
        if (SimJson.IsBlank(SimJson.Str(body, "madonvi"))) return BadRequest("Thiếu madonvi");

        Func<JsonObject> run;
        switch (service)
        {
            case PortalServices.SyncDossiers:
            {
                if (!TryObjects(body, PortalServices.MaxDossiersPerBatch, out var data, out var problem)) return BadRequest(problem);
                var updating = SimJson.Str(body, "isUpdating");
                bool isUpdating;
                if (string.Equals(updating, "True", StringComparison.OrdinalIgnoreCase)) isUpdating = true;
                else if (string.Equals(updating, "False", StringComparison.OrdinalIgnoreCase)) isUpdating = false;
                else return BadRequest("isUpdating phải là \"True\" hoặc \"False\"");
                run = () => state.SyncDossiers(data, isUpdating);
                break;
            }
            case PortalServices.AppendSteps:
            {
                if (!TryObjects(body, PortalServices.MaxStepsPerCall, out var steps, out var problem)) return BadRequest(problem);
                run = () => state.SyncSteps(steps);
                break;
            }
            case PortalServices.LookUp:
            {
                var code = SimJson.Str(SimJson.GetIgnoreCase(body, "mahoso"));
                if (SimJson.IsBlank(code)) return BadRequest("Thiếu mahoso");
                run = () => state.Lookup(state.Faults.Settings.LookUpAnswersFor ?? code!);
                break;
            }
            default:
            {
                var code = SimJson.Str(SimJson.GetIgnoreCase(body, "maTTHC"));
                if (SimJson.IsBlank(code)) return BadRequest("Thiếu maTTHC");
                run = () => state.Procedure(code!);
                break;
            }
        }
        if (!state.TryUseSession(SimJson.Str(body, "session")))
            return (200, PortalMessages.Reply("-2", PortalMessages.SessionInvalid));
        return (200, run());
    }

    private static bool TryObjects(JsonObject body, int max, out List<JsonObject> items, out string problem)
    {
        items = [];
        problem = "";
        if (body["data"] is not JsonArray array || array.Count == 0)
        {
            problem = "Thiếu data";
            return false;
        }
        if (array.Count > max)
        {
            problem = $"data có {array.Count} phần tử, tối đa {max}";
            return false;
        }
        foreach (var n in array)
        {
            if (n is not JsonObject o)
            {
                problem = "Phần tử của data phải là đối tượng JSON";
                return false;
            }
            items.Add(o);
        }
        return true;
    }

    private static void NumericCode(JsonObject o)
    {
        if (SimJson.Int(o["error_code"]) is { } n) o["error_code"] = n;
    }

    private static JsonObject TooMany() => new() { ["message"] = "Quá nhiều yêu cầu, vui lòng thử lại sau" };

    private static (int, JsonObject) BadRequest(string message) => (400, PortalMessages.Reply("1", message));

    private async Task AnswerAsync(HttpContext ctx, string service, int status, JsonObject? reply, int? retryAfter, CancellationToken ct)
    {
        if (retryAfter is { } ra) FaultPipeline.SetRetryAfter(ctx.Response, ra);
        var outcome = status == 200 ? SimJson.Str(reply?["error_code"]) ?? "?" : $"http-{status}";
        state.Counters.Answered(service, outcome);
        if (reply is not null && state.ErrorCodesAsNumbers)
        {
            NumericCode(reply);
            if (reply["errors"] is JsonArray errors)
                foreach (var e in errors.OfType<JsonObject>()) NumericCode(e);
        }
        await SimJson.WriteAsync(ctx.Response, status, reply, ct).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ control routes

    private void MapControl(WebApplication app, GroundTruth? truth)
    {
        var sim = app.MapControlRoutes(state.Faults, new CredentialSwitch("expireSessions", "/sessions/expire", "expired", state.ExpireAllSessions),
            ConfigJson, Configure, Stats, state.ResetStatistics);
        sim.MapGet("/hoso/{maHoSo}", (string maHoSo) =>
            state.Get(maHoSo) is { } d ? SimJson.Result(d) : SimJson.Result(SimJson.Error("Không tìm thấy hồ sơ"), 404));
        sim.MapGet("/hoso/{maHoSo}/tiendo", (string maHoSo) =>
            SimJson.Result(new JsonObject { ["items"] = new JsonArray(state.StepsOf(maHoSo).Select(s => (JsonNode)s).ToArray()) }));
        sim.MapDelete("/hoso/{maHoSo}", (string maHoSo) =>
            SimJson.Result(new JsonObject { ["removed"] = state.Remove(maHoSo) }));
        if (truth is not null) TruthRoutes.Map(sim, truth);
    }

    private void Configure(JsonObject body)
    {
        if (SimJson.Int(body["rateLimitPerSecond"]) is { } rps) state.RateLimitPerSecond = rps;
        if (SimJson.Int(body["latencyMs"]) is { } ms) state.Latency = TimeSpan.FromMilliseconds(ms);
        if (SimJson.Int(body["sessionTtlSeconds"]) is { } ttl) state.SessionTtl = TimeSpan.FromSeconds(ttl);
        if (SimJson.Str(body, "successCode") is { } ok) state.SuccessCode = ok;
        if (SimJson.Str(body, "alreadyExistsCode") is { } exists) state.AlreadyExistsCode = exists;
        if (SimJson.Str(body, "errorCodesAsNumbers") is { } numeric) state.ErrorCodesAsNumbers = numeric == "True";
        if (SimJson.Str(body, "quoteApplicant") is { } quote) state.QuoteApplicant = quote == "True";
    }

    private JsonObject Stats()
    {
        var stats = state.Counters.ToJson();
        stats["histogram"] = state.Histogram.ToJson();
        stats["held"] = state.Count;
        stats["activeSessions"] = state.ActiveSessionCount;
        return stats;
    }

    private JsonObject ConfigJson() => new()
    {
        ["rateLimitPerSecond"] = state.RateLimitPerSecond,
        ["latencyMs"] = (long)state.Latency.TotalMilliseconds,
        ["sessionTtlSeconds"] = (long)state.SessionTtl.TotalSeconds,
        ["successCode"] = state.SuccessCode,
        ["alreadyExistsCode"] = state.AlreadyExistsCode,
        ["errorCodesAsNumbers"] = state.ErrorCodesAsNumbers,
        ["quoteApplicant"] = state.QuoteApplicant,
        ["dstcode"] = state.DstCode,
        ["madonvi"] = state.MaDonVi,
    };
}
