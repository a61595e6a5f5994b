using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;

namespace DvcSync.Simulators.Hosting;

/// <summary>
/// The switch that invalidates every credential a simulator issued (portal sessions, provincial tokens): its flag in a
/// faults body, its own route, and the field its answer sets.
/// </summary>
internal sealed record CredentialSwitch(string FaultFlag, string Route, string AnswerField, Action Invalidate);

/// <summary>The <c>/_sim</c> control routes both simulators have.</summary>
internal static class ControlRoutes
{
    /// <summary>
    /// <c>/_sim/faults</c>, the credential switch, <c>GET/POST /_sim/config</c> (the body changes what
    /// <paramref name="configure"/> reads of it) and <c>GET /_sim/stats</c>, <c>POST /_sim/stats/reset</c>.
    /// </summary>
    /// <returns>The <c>/_sim</c> group, for the simulator's own routes.</returns>
    public static RouteGroupBuilder MapControlRoutes(this WebApplication app, FaultSwitch faults, CredentialSwitch credentials,
        Func<JsonObject> config, Action<JsonObject> configure, Func<JsonObject> stats, Action resetStats)
    {
        var sim = app.MapGroup("/_sim");
        sim.MapFaultRoutes(faults, credentials.FaultFlag, credentials.Invalidate);
        sim.MapPost(credentials.Route, () =>
        {
            credentials.Invalidate();
            return SimJson.Result(new JsonObject { [credentials.AnswerField] = true });
        });
        sim.MapGet("/config", () => SimJson.Result(config()));
        sim.MapPost("/config", async (HttpContext ctx) =>
        {
            if (await SimJson.ReadObjectAsync(ctx).ConfigureAwait(false) is not { } body) return SimJson.NotAnObject();
            configure(body);
            return SimJson.Result(config());
        });
        sim.MapGet("/stats", () => SimJson.Result(stats()));
        sim.MapPost("/stats/reset", () =>
        {
            resetStats();
            return SimJson.Result(new JsonObject { ["reset"] = true });
        });
        return sim;
    }
}
