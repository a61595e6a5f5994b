using DvcSync.Api;
using DvcSync.Api.Dashboard;
using DvcSync.Application.Configuration;
using DvcSync.Infrastructure;
using DvcSync.Infrastructure.Storage;
using DvcSync.Infrastructure.Telemetry;
using DvcSync.Standalone.Hosting;

namespace DvcSync.Standalone;

/// <summary>
/// The same handlers as the Functions app, hosted without the Functions host: Kestrel for the API, a polling
/// service for the repair queue, a Cronos timer for the reconciliation. For the demo, the end-to-end tests and
/// one-machine installs.
/// </summary>
public static class StandaloneApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>The exit code when a background service (the repair poller, the timer…) stopped on an error.</summary>
    public const int BackgroundServiceFailed = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.FirstOrDefault() == AuditCommand.Name) return await AuditCommand.RunAsync(args);
        if (args.FirstOrDefault() == BackupCommand.Name) return await BackupCommand.RunAsync(args);

        // Every setting checked at once, before anything starts: the operator sees all the bad keys in one go.
        if (await StartupCheck.BuildAsync(() => Build(args), Console.Error) is not { } app) return StartupCheck.BadConfiguration;

        // Taken before the run: the host disposes its services when it stops.
        var backgroundServices = app.Services.GetServices<IHostedService>().OfType<BackgroundService>().ToList();
        app.Services.GetRequiredService<StoreDescription>().Log(app.Services);
        try
        {
            await app.RunAsync();
        }
        catch (Exception) when (Failures(backgroundServices).Count > 0)
        {
            // The host (Microsoft.Extensions.Hosting 11) rethrows the failure that stopped it: reported below, by exit code.
        }
        return Failures(backgroundServices) is { Count: > 0 } failures ? Report(failures) : 0;
    }

    /// <summary>
    /// The background services that died: the host stops when one does (StopHost), and a supervisor (systemd, a
    /// container runtime) restarts the program only if it exits with an error.
    /// </summary>
    private static List<(string Service, Exception Error)> Failures(IEnumerable<BackgroundService> services) =>
        services.Where(service => service.ExecuteTask is { IsFaulted: true })
            .Select(service => (service.GetType().Name, (Exception)service.ExecuteTask!.Exception!.GetBaseException()))
            .ToList();

    private static int Report(List<(string Service, Exception Error)> failures)
    {
        foreach (var (service, error) in failures)
            Console.Error.WriteLine($"{service} stopped on an error ({error.GetType().Name}); the program exits with code {BackgroundServiceFailed}");
        return BackgroundServiceFailed;
    }

    /// <param name="configure">Lets a test add to the host (a log capture, say) before it is built.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // Under systemd (Type=notify): readiness and stopping are told to systemd, and the log goes to the journal
        // without console colours or timestamps of its own. Elsewhere this does nothing.
        builder.Host.UseSystemd();
        // Wiring mistakes surface when the host is built, not on the first request at night.
        builder.Host.UseDefaultServiceProvider(provider =>
        {
            provider.ValidateOnBuild = true;
            provider.ValidateScopes = true;
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);

        // The framework's request log prints full URLs, and a key may ride in ?code=: ours redacts it instead.
        builder.Logging.FilterFrameworkRequestLogs();
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.Services.AddDvcSync(builder.Configuration, StoreChoice.EmbeddedUnlessAccountSet).AddSyncApi();
        builder.Services.AddSyncTelemetry(builder.Configuration, tracing => tracing.AddRedactedAspNetCoreInstrumentation());
        builder.Services.AddApiKeys(builder.Configuration);
        builder.Services.AddSettings<RepairPollerOptions, RepairPollerOptionsValidator>(builder.Configuration);
        builder.Services.AddSettings<ReconcileTimerOptions>(builder.Configuration);
        // A background service that dies stops the whole program (RunAsync then exits non-zero), rather than leaving a
        // host that answers HTTP while nothing repairs or reconciles.
        builder.Services.Configure<HostOptions>(host => host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost);
        builder.Services.AddProblemDetails();
        builder.Services.AddHostedService<RepairQueuePoller>();
        builder.Services.AddHostedService<ReconcileTimer>();
        builder.Services.AddHostedService<PoisonQueueDrainer>();
        builder.Services.AddHostedService<AuditRunner>();

        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<RedactingRequestLog>();
        MapApi(app);
        return app;
    }

    private static void MapApi(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapGet("/health/live", (ISyncApi a) => a.GetLive());
        api.MapGet("/health", (ISyncApi a, CancellationToken ct) => a.GetHealthAsync(ct)).RequireApiKey(KeyLevel.Read);
        api.MapGet("/indicators/sync-rate", (HttpRequest r, ISyncApi a, CancellationToken ct) => a.GetSyncRateAsync(r, ct)).RequireApiKey(KeyLevel.Read);
        api.MapGet("/indicators/scorecard", (HttpRequest r, ISyncApi a, CancellationToken ct) => a.GetScorecardAsync(r, ct)).RequireApiKey(KeyLevel.Read);
        api.MapGet("/dossiers/unsynced", (HttpRequest r, ISyncApi a, CancellationToken ct) => a.GetUnsyncedAsync(r, ct)).RequireApiKey(KeyLevel.Read);
        api.MapPost("/dossiers/{maHoSo}/resync", (string maHoSo, ISyncApi a, CancellationToken ct) => a.ResyncAsync(maHoSo, ct)).RequireApiKey(KeyLevel.Admin);
        api.MapPost("/audits", (HttpRequest r, ISyncApi a, CancellationToken ct) => a.RequestAuditAsync(r, ct)).RequireApiKey(KeyLevel.Admin);
        api.MapGet("/audits/current", (ISyncApi a, CancellationToken ct) => a.GetAuditAsync(ct)).RequireApiKey(KeyLevel.Read);
        api.MapDelete("/audits/current", (ISyncApi a, CancellationToken ct) => a.CancelAuditAsync(ct)).RequireApiKey(KeyLevel.Admin);
        api.MapGet("/openapi.json", (ISyncApi a) => a.GetOpenApiDocument()); // anonymous: it holds no data
        // The page holds no data (every figure it shows needs the key its user types in), so it is anonymous.
        api.MapGet("/dashboard/{*file}", (HttpRequest r, string? file, IDashboardAssets d) => d.Get(r, file));
    }
}
