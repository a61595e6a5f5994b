using System.Text.Json;
using DvcSync.Simulators.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DvcSync.Simulators.Hosting;

/// <summary><c>GET /_sim/truth[?category=..&amp;refusal=..]</c> (streamed) and <c>GET /_sim/truth/summary</c>, on both servers.</summary>
internal static class TruthRoutes
{
    public static void Map(RouteGroupBuilder sim, GroundTruth truth)
    {
        sim.MapGet("/truth/summary", () => SimJson.Result(truth.SummaryJson()));
        sim.MapGet("/truth", async (HttpContext ctx) =>
        {
            DossierCategory? category = null;
            RefusalKind? refusal = null;
            var c = ctx.Request.Query["category"].ToString();
            var r = ctx.Request.Query["refusal"].ToString();
            if (c.Length > 0)
            {
                if (!Enum.TryParse<DossierCategory>(c, true, out var parsed))
                {
                    await SimJson.WriteAsync(ctx.Response, 400, SimJson.Error($"Unknown category '{c}'."), ctx.RequestAborted).ConfigureAwait(false);
                    return;
                }
                category = parsed;
            }
            if (r.Length > 0)
            {
                if (!Enum.TryParse<RefusalKind>(r, true, out var parsed))
                {
                    await SimJson.WriteAsync(ctx.Response, 400, SimJson.Error($"Unknown refusal '{r}'."), ctx.RequestAborted).ConfigureAwait(false);
                    return;
                }
                refusal = parsed;
            }
            ctx.Response.ContentType = "application/json; charset=utf-8";
            var pipe = ctx.Response.BodyWriter;
            await using var writer = new Utf8JsonWriter(pipe, SimJson.WriterOptions);
            writer.WriteStartObject();
            writer.WriteStartArray("items");
            var n = 0;
            foreach (var e in truth.Entries)
            {
                if (category is not null && e.Category != category) continue;
                if (refusal is not null && e.Refusal != refusal) continue;
                e.ToJson().WriteTo(writer);
                if (++n % 500 == 0)
                {
                    writer.Flush();
                    await pipe.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
                }
            }
            writer.WriteEndArray();
            writer.WriteNumber("count", n);
            writer.WriteEndObject();
            writer.Flush();
            await pipe.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        });
    }
}
