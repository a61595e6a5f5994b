using DvcSync.Application.Api;
using DvcSync.Infrastructure;
using DvcSync.Standalone.Hosting;
using Microsoft.Extensions.Options;

namespace DvcSync.Standalone;

/// <summary>
/// The same handlers as the Functions app, hosted without the Functions host: Kestrel for the API, a polling
/// service for the repair queue, a Cronos timer for the reconciliation. For the demo, the end-to-end tests and
/// one-machine installs.
/// </summary>
public static class StandaloneApp
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
        }
        catch (InvalidOperationException e)
        {
            // A configuration mistake is the operator's to fix: say which key, not a stack trace.
            await Console.Error.WriteLineAsync("Configuration error: " + e.Message);
            return 2;
        }

        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration error: " + string.Join("; ", e.Failures));
            return 2;
        }
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls(DefaultUrl);

        // The framework's request log prints full URLs, and a key may ride in ?code=: ours redacts it instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);

        builder.Services.AddDvcSync(builder.Configuration);
        builder.Services.AddSingleton(ApiKeys.FromConfiguration(builder.Configuration));
        builder.Services.AddProblemDetails();
        builder.Services.AddHostedService<RepairQueuePoller>();
        builder.Services.AddHostedService<ReconcileTimer>();

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
        api.MapGet("/dossiers/unsynced", (HttpRequest r, ISyncApi a, CancellationToken ct) => a.GetUnsyncedAsync(r, ct)).RequireApiKey(KeyLevel.Read);
        api.MapPost("/dossiers/{maHoSo}/resync", (string maHoSo, ISyncApi a, CancellationToken ct) => a.ResyncAsync(maHoSo, ct)).RequireApiKey(KeyLevel.Admin);
    }
}
