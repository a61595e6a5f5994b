using System.Globalization;
using System.Runtime.InteropServices;
using DvcSync.Simulators;

// The two external systems as real HTTP servers, for the demo and for benchmarks.
// Prints only URLs and the demo credentials; never personal data.

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        DvcSync.Simulators — the national portal (DVCQG) and the provincial one-stop system, simulated.

        Usage: dotnet run --project src/DvcSync.Simulators -- [options]

          --portal-port <n>          portal port on 127.0.0.1 (default 7201; 0 = any free port)
          --provincial-port <n>      provincial system port on 127.0.0.1 (default 7202; 0 = any free port)
          --seed <n>                 scenario seed (default 42)
          --dossiers <n>             number of seeded dossiers (default 5000)
          --start <yyyy-MM-dd>       earliest NgayTiepNhan (default 2025-01-01)
          --portal-rps <n>           portal rate limit, requests per any one-second window (default 20; 0 = none)
          --portal-latency-ms <n>    artificial latency of every portal call (default 0)
          --provincial-latency-ms <n> artificial latency of every provincial call (default 0)
          --session-ttl-minutes <n>  portal session lifetime after last use (default 30)
          --token-lifetime-seconds <n> provincial token lifetime (default 3600)
          --success-code <0|00>      portal success code (default 0)
          --exists-code <-3|3>       portal code for an insert of an existing dossier (default -3)
          --numeric-codes            portal answers error_code as a JSON number
          --quote-applicant          portal refusals and failures quote the dossier's applicant (name, IDs, phone, e-mail)
          --no-preload               start with an empty portal
          --all-synced               every dossier received, on the portal and current there (a long-running deployment)
          --log                      log warnings of the two servers to the console
          --help                     this text

        Control routes on both servers (no auth): GET/POST /_sim/faults, GET /_sim/stats, POST /_sim/stats/reset,
        GET/POST /_sim/config, GET /_sim/truth[?category=&refusal=], GET /_sim/truth/summary.
        Portal: POST /_sim/sessions/expire, GET/DELETE /_sim/hoso/{MaHoSo}, GET /_sim/hoso/{MaHoSo}/tiendo.
        Provincial: POST /_sim/tokens/revoke, POST /_sim/hoso/{MaHoSo} (change), POST /_sim/hoso (add),
        POST /_sim/changes {"count":n,"seed":s} (advance n dossiers in progress; the portal keeps the old copies),
        GET /_sim/headers (every dossier's codes, status, dates and version, streamed).
        """);
    return 0;
}

var options = new SimulatorOptions { PortalPort = 7201, ProvincialPort = 7202 };
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        int NextInt() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture);
        switch (args[i])
        {
            case "--portal-port": options.PortalPort = NextInt(); break;
            case "--provincial-port": options.ProvincialPort = NextInt(); break;
            case "--seed": options.Seed = NextInt(); break;
            case "--dossiers": options.DossierCount = NextInt(); break;
            case "--start":
                options.ScenarioStart = new DateTimeOffset(DateOnly.ParseExact(Next(), "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(7));
                break;
            case "--portal-rps": options.PortalRateLimitPerSecond = NextInt(); break;
            case "--portal-latency-ms": options.PortalLatency = TimeSpan.FromMilliseconds(NextInt()); break;
            case "--provincial-latency-ms": options.ProvincialLatency = TimeSpan.FromMilliseconds(NextInt()); break;
            case "--session-ttl-minutes": options.PortalSessionTtl = TimeSpan.FromMinutes(NextInt()); break;
            case "--token-lifetime-seconds": options.ProvincialTokenLifetime = TimeSpan.FromSeconds(NextInt()); break;
            case "--success-code": options.PortalSuccessCode = Next(); break;
            case "--exists-code": options.PortalAlreadyExistsCode = Next(); break;
            case "--numeric-codes": options.PortalErrorCodesAsNumbers = true; break;
            case "--quote-applicant": options.PortalQuoteApplicant = true; break;
            case "--no-preload": options.Scenario.PreloadPortal = false; break;
            case "--all-synced": options.Scenario.AllSyncedAndCurrent(); break;
            case "--log": options.ConsoleLogging = true; break;
            default: throw new ArgumentException($"Unknown option {args[i]} (see --help).");
        }
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });

var started = DateTime.UtcNow;
await using var host = await SimulatorHost.StartAsync(options, stop.Token);
var c = host.Credentials;
Console.WriteLine($"""
    Simulators running ({host.Provincial.Count} dossiers, seed {options.Seed}, started in {(DateTime.UtcNow - started).TotalSeconds:0.0} s)
      National portal:   {host.PortalBaseUrl}   (POST /auth, POST /service)
        username {c.PortalUsername}  password {c.PortalPassword}  dstcode {c.PortalDstCode}  madonvi {c.PortalMaDonVi}
        rate limit {host.Portal.RateLimitPerSecond}/s, latency {host.Portal.Latency.TotalMilliseconds:0} ms, holds {host.Portal.Count} dossiers
      Provincial system: {host.ProvincialBaseUrl}   (POST /connect/token, GET /api/v1/...)
        client_id {c.ProvincialClientId}  client_secret {c.ProvincialClientSecret}
    Press Ctrl+C to stop.
    """);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C or SIGTERM
}
Console.WriteLine("Stopping.");
return 0;
