using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>The provincial simulator's HTTP surface (provincial-system.md) and its <c>/_sim</c> control routes.</summary>
internal sealed class ProvincialServer(ProvincialState state, CancellationToken stopping)
{
    private delegate (int Status, JsonNode? Body) Handler(HttpContext ctx);

    public static void Map(WebApplication app, ProvincialState state, GroundTruth? truth)
    {
        var s = new ProvincialServer(state, app.Lifetime.ApplicationStopping);
        app.MapPost("/connect/token", ctx => s.HandleAsync(ctx, "token", false, s.Token));
        app.MapGet("/api/v1/hoso", ctx => s.HandleAsync(ctx, "hoso-list", true, s.List));
        app.MapGet("/api/v1/hoso/{maHoSo}", ctx => s.HandleAsync(ctx, "hoso", true, s.One));
        app.MapGet("/api/v1/hoso/{maHoSo}/tiendo", ctx => s.HandleAsync(ctx, "tiendo", true, s.Steps));
        app.MapGet("/api/v1/donvi", ctx => s.HandleAsync(ctx, "donvi", true, s.Agencies));
        app.MapGet("/api/v1/thongke/tiepnhan", ctx => s.HandleAsync(ctx, "thongke", true, s.Received));
        s.MapControl(app, truth);
    }

    private async Task HandleAsync(HttpContext ctx, string route, bool requireAuth, Handler handler)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var ct = cts.Token;
        state.Counters.Received(route);
        try
        {
            if (state.Faults.OutageActive)
            {
                state.Faults.CountOutage();
                await AnswerAsync(ctx, route, 503, SimJson.Error("Hệ thống đang bảo trì"), null, ct).ConfigureAwait(false);
                return;
            }
            var faults = state.Faults.Settings;
            await FaultPipeline.DelayAsync(state.Latency + faults.AddedLatency, ct).ConfigureAwait(false);
            var hangAfter = false;
            switch (state.Faults.Decide(systemErrorApplies: false))
            {
                case FaultKind.ServerError:
                    await AnswerAsync(ctx, route, faults.ServerErrorStatus, SimJson.Error("Lỗi hệ thống"), null, ct).ConfigureAwait(false);
                    return;
                case FaultKind.TooManyRequests:
                    await AnswerAsync(ctx, route, 429, SimJson.Error("Quá nhiều yêu cầu"), faults.RetryAfterSeconds, ct).ConfigureAwait(false);
                    return;
                case FaultKind.Hang when faults.HangAfterProcessing:
                    hangAfter = true;
                    break;
                case FaultKind.Hang:
                    await Task.Delay(faults.HangDuration, ct).ConfigureAwait(false);
                    break;
            }

            (int Status, JsonNode? Body) reply;
            if (requireAuth && !state.IsTokenValid(BearerToken(ctx.Request)))
            {
                ctx.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                reply = (401, SimJson.Error("invalid_token"));
            }
            else
            {
                if (ctx.Request.HasFormContentType) await ctx.Request.ReadFormAsync(ct).ConfigureAwait(false);
                reply = handler(ctx);
            }
            if (hangAfter) await Task.Delay(faults.HangDuration, ct).ConfigureAwait(false);
            await AnswerAsync(ctx, route, reply.Status, reply.Body, null, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            state.Counters.Answered(route, "aborted");
        }
    }

    private async Task AnswerAsync(HttpContext ctx, string route, int status, JsonNode? body, int? retryAfter, CancellationToken ct)
    {
        if (retryAfter is { } ra) FaultPipeline.SetRetryAfter(ctx.Response, ra);
        state.Counters.Answered(route, $"http-{status}");
        await SimJson.WriteAsync(ctx.Response, status, body, ct).ConfigureAwait(false);
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    // ------------------------------------------------------------------ routes

    private (int, JsonNode?) Token(HttpContext ctx)
    {
        if (!ctx.Request.HasFormContentType)
            return (400, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "Body must be application/x-www-form-urlencoded." });
        var form = ctx.Request.Form;
        var grant = form["grant_type"].ToString();
        if (grant.Length == 0) return (400, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "grant_type is required." });
        if (grant != "client_credentials") return (400, new JsonObject { ["error"] = "unsupported_grant_type" });
        string id = form["client_id"].ToString(), secret = form["client_secret"].ToString();
        var basic = ctx.Request.Headers.Authorization.ToString();
        if (id.Length == 0 && basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(basic["Basic ".Length..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) (id, secret) = (Uri.UnescapeDataString(decoded[..colon]), Uri.UnescapeDataString(decoded[(colon + 1)..]));
            }
            catch (FormatException)
            {
                // falls through to invalid_client
            }
        }
        if (id != state.ClientId || secret != state.ClientSecret) return (401, new JsonObject { ["error"] = "invalid_client" });
        var (token, expiresIn) = state.IssueToken();
        return (200, new JsonObject { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = expiresIn });
    }

    private (int, JsonNode?) List(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        if (!ProvincialQuery.TryParseInstant(q["capNhatTu"].ToString(), out var from))
            return Bad("capNhatTu phải là thời điểm ISO 8601 có múi giờ, ví dụ 2025-01-15T00:00:00+07:00");
        if (!ProvincialQuery.TryParseInstant(q["capNhatDen"].ToString(), out var to))
            return Bad("capNhatDen phải là thời điểm ISO 8601 có múi giờ, ví dụ 2025-01-16T00:00:00+07:00");
        if (from > to) return Bad("capNhatTu lớn hơn capNhatDen");
        var limit = 500;
        var limitText = q["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
            return Bad("limit phải là số nguyên từ 1 đến 1000");
        PageKey? after = null;
        var cursorText = q["cursor"].ToString();
        if (cursorText.Length > 0)
        {
            if (!ProvincialQuery.TryDecodeCursor(cursorText, out var key)) return Bad("cursor không hợp lệ");
            after = key;
        }
        var faults = state.Faults.Settings;
        var (items, next) = state.Page(from, to, limit + faults.ExtraItemsPerPage, after);
        if (faults.ItemPaddingBytes > 0)
            foreach (var item in items) item[PaddingField] = new string('x', faults.ItemPaddingBytes);
        return (200, new JsonObject
        {
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i).ToArray()),
            ["nextCursor"] = faults.RepeatCursor && cursorText.Length > 0 ? cursorText : next is { } n ? ProvincialQuery.EncodeCursor(n) : null,
        });
    }

    private (int, JsonNode?) One(HttpContext ctx)
    {
        var code = ctx.Request.RouteValues["maHoSo"] as string ?? "";
        var d = state.Get(code);
        return d is null ? (404, SimJson.Error($"Không tìm thấy hồ sơ {code}")) : (200, d.Item);
    }

    private (int, JsonNode?) Steps(HttpContext ctx)
    {
        var code = ctx.Request.RouteValues["maHoSo"] as string ?? "";
        var steps = state.StepsOf(code);
        return steps is null
            ? (404, SimJson.Error($"Không tìm thấy hồ sơ {code}"))
            : (200, new JsonObject { ["items"] = new JsonArray(steps.Select(s => (JsonNode)s).ToArray()) });
    }

    private (int, JsonNode?) Agencies(HttpContext ctx) =>
        (200, new JsonObject { ["items"] = new JsonArray(state.ListedAgencies.Select(a => (JsonNode)a.ToJson()).ToArray()) });

    private (int, JsonNode?) Received(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        if (!DateOnly.TryParseExact(q["tuNgay"].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
            return Bad("tuNgay phải có dạng yyyy-MM-dd");
        if (!DateOnly.TryParseExact(q["denNgay"].ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
            return Bad("denNgay phải có dạng yyyy-MM-dd");
        if (from > to) return Bad("tuNgay lớn hơn denNgay");
        var items = state.ReceivedCounts(from, to).Select(c => (JsonNode)new JsonObject
        {
            ["MaDonVi"] = c.MaDonVi,
            ["Ngay"] = c.Ngay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["SoHoSoTiepNhan"] = c.SoHoSoTiepNhan,
        }).ToArray();
        return (200, new JsonObject { ["items"] = new JsonArray(items) });
    }

    private static (int, JsonNode?) Bad(string message) => (400, SimJson.Error(message));

    /// <summary>The field <see cref="FaultSettings.ItemPaddingBytes"/> adds to the dossiers of a list page.</summary>
    internal const string PaddingField = "_simPadding";

    // ------------------------------------------------------------------ control routes

    private void MapControl(WebApplication app, GroundTruth? truth)
    {
        var sim = app.MapControlRoutes(state.Faults, new CredentialSwitch("revokeTokens", "/tokens/revoke", "revoked", state.RevokeAllTokens),
            ConfigJson, Configure, Stats, state.Counters.Reset);
        sim.MapPost("/hoso/{maHoSo}", async (HttpContext ctx, string maHoSo) =>
        {
            if (await SimJson.ReadObjectAsync(ctx).ConfigureAwait(false) is not { } body) return SimJson.NotAnObject();
            if (!state.Contains(maHoSo)) return SimJson.Result(SimJson.Error($"Unknown dossier {maHoSo}."), 404);
            try
            {
                var flag = SimJson.Str(body, "trangThaiDongBo");
                var error = SimJson.Str(body, "loiDongBo");
                ProvincialDossier? result = null;
                if (SimJson.Int(body["status"]) is { } status)
                {
                    DateTimeOffset? at = null;
                    if (SimJson.Str(body, "at") is { } atText)
                        at = ProvincialQuery.TryParseInstant(atText, out var parsed) ? parsed : throw new ArgumentException("at must be ISO 8601 with offset.");
                    result = state.SetStatus(maHoSo, status, at);
                }
                if (body["changes"] is JsonObject changes)
                {
                    result = state.Change(maHoSo, changes, flag, error);
                }
                else if (flag is not null || error is not null)
                {
                    var current = state.Get(maHoSo)!;
                    result = state.SetSyncFlag(maHoSo, flag ?? current.TrangThaiDongBo, error ?? current.LoiDongBo);
                }
                result ??= state.Get(maHoSo)!;
                return SimJson.Result(result.Item);
            }
            catch (ArgumentException e)
            {
                return SimJson.Result(SimJson.Error(e.Message), 400);
            }
        });
        sim.MapPost("/hoso", async (HttpContext ctx) =>
        {
            if (await SimJson.ReadObjectAsync(ctx).ConfigureAwait(false) is not { } body) return SimJson.NotAnObject();
            try
            {
                var added = new List<ProvincialDossier>();
                if (body["dossiers"] is JsonArray dossiers)
                    foreach (var d in dossiers)
                        added.Add(state.Add(d as JsonObject ?? throw new ArgumentException("Every dossier must be a JSON object."),
                            trangThaiDongBo: SimJson.Str(body, "trangThaiDongBo") ?? "0"));
                if (SimJson.Int(body["generate"]) is { } n)
                    added.AddRange(state.AddGenerated(n, SimJson.Str(body, "maDonVi")));
                return SimJson.Result(new JsonObject
                {
                    ["added"] = new JsonArray(added.Select(a => (JsonNode)JsonValue.Create(a.MaHoSo)).ToArray()),
                });
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return SimJson.Result(SimJson.Error(e.Message), 400);
            }
        });
        sim.MapPost("/donvi/unlist", async (HttpContext ctx) =>
        {
            if (await SimJson.ReadObjectAsync(ctx).ConfigureAwait(false) is not { } body) return SimJson.NotAnObject();
            static List<string> Strings(JsonNode? node) => node is JsonArray array ? array.Select(n => SimJson.Str(n)).OfType<string>().ToList() : [];
            var unlisted = state.Unlist(Strings(body["maDonVi"]), Strings(body["cap"]));
            return SimJson.Result(new JsonObject
            {
                ["unlisted"] = new JsonArray(unlisted.Order(StringComparer.Ordinal).Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
            });
        });
        sim.MapPost("/thongke/correct", async (HttpContext ctx) =>
        {
            if (await SimJson.ReadObjectAsync(ctx).ConfigureAwait(false) is not { } body) return SimJson.NotAnObject();
            if (SimJson.Str(body, "maDonVi") is not { Length: > 0 } agency || SimJson.Int(body["delta"]) is not { } delta
                || !DateOnly.TryParseExact(SimJson.Str(body, "ngay"), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return SimJson.Result(SimJson.Error("Body must be {\"maDonVi\": \"...\", \"ngay\": \"YYYY-MM-DD\", \"delta\": n}."), 400);
            state.CorrectReceivedCount(agency, day, (int)delta);
            return SimJson.Result(new JsonObject { ["corrected"] = true });
        });
        sim.MapPost("/changes", async (HttpContext ctx) =>
        {
            if (await SimJson.TryParseAsync(ctx.Request.Body, ctx.RequestAborted).ConfigureAwait(false) is not JsonObject body
                || SimJson.Int(body["count"]) is not { } count || count < 0)
                return SimJson.Result(SimJson.Error("Body must be {\"count\": n, \"seed\": s} with n ≥ 0."), 400);
            var changed = state.AdvanceInProgress(count, SimJson.Int(body["seed"]) ?? 1);
            return SimJson.Result(new JsonObject
            {
                ["changed"] = changed.Count,
                ["codes"] = new JsonArray(changed.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
            });
        });
        sim.MapGet("/headers", async (HttpContext ctx) =>
        {
            // Streamed: a million headers are too many to hold as one JSON document.
            ctx.Response.ContentType = "application/json; charset=utf-8";
            var pipe = ctx.Response.BodyWriter;
            await using var writer = new Utf8JsonWriter(pipe, SimJson.WriterOptions);
            writer.WriteStartArray();
            var n = 0;
            foreach (var header in state.Headers())
            {
                header.WriteTo(writer);
                if (++n % 2000 == 0)
                {
                    writer.Flush();
                    await pipe.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                }
            }
            writer.WriteEndArray();
            writer.Flush();
            await pipe.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
        if (truth is not null) TruthRoutes.Map(sim, truth);
    }

    private void Configure(JsonObject body)
    {
        if (SimJson.Int(body["tokenLifetimeSeconds"]) is { } s) state.TokenLifetime = TimeSpan.FromSeconds(s);
        if (SimJson.Int(body["latencyMs"]) is { } ms) state.Latency = TimeSpan.FromMilliseconds(ms);
    }

    private JsonObject Stats()
    {
        var stats = state.Counters.ToJson();
        stats["dossiers"] = state.Count;
        stats["activeTokens"] = state.ActiveTokenCount;
        return stats;
    }

    private JsonObject ConfigJson() => new()
    {
        ["tokenLifetimeSeconds"] = (long)state.TokenLifetime.TotalSeconds,
        ["latencyMs"] = (long)state.Latency.TotalMilliseconds,
        ["clientId"] = state.ClientId,
    };
}
