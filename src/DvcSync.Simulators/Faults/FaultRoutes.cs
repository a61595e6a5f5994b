using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Faults;

internal static class FaultRoutes
{
    /// <summary>
    /// <c>GET/POST /_sim/faults</c>, the same on both simulators. The body is merged into the switches; the flag named
    /// <paramref name="credentialFlag"/> also invalidates that system's credentials (portal sessions, provincial tokens).
    /// </summary>
    public static void MapFaultRoutes(this RouteGroupBuilder sim, FaultSwitch faults, string credentialFlag, Action invalidateCredentials)
    {
        sim.MapGet("/faults", () => SimJson.Result(faults.ToJson()));
        sim.MapPost("/faults", async (HttpContext ctx) =>
        {
            if (await SimJson.ReadObjectAsync(ctx).ConfigureAwait(false) is not { } body) return SimJson.NotAnObject();
            try
            {
                faults.ApplyJson(body);
            }
            catch (ArgumentException e)
            {
                return SimJson.Result(SimJson.Error(e.Message), 400);
            }
            if (SimJson.Str(body, credentialFlag) is "True") invalidateCredentials();
            return SimJson.Result(faults.ToJson());
        });
    }
}
