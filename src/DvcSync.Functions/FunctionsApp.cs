using DvcSync.Api;
using DvcSync.Application.Configuration;
using DvcSync.Infrastructure;
using DvcSync.Infrastructure.Storage;
using DvcSync.Infrastructure.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.Functions;

/// <summary>The Azure Functions isolated worker: the platform's triggers over the handlers the standalone host also runs.</summary>
public static class FunctionsApp
{
    /// <summary>Runs the worker; a bad setting stops it at start with every bad key named, and exit code 2.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (await StartupCheck.BuildAsync(() => Build(args), Console.Error) is not { } host) return StartupCheck.BadConfiguration;
        host.Services.GetRequiredService<StoreDescription>().Log(host.Services);
        await host.RunAsync();
        return 0;
    }

    public static IHost Build(string[] args)
    {
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        // A key may ride in ?code=: the framework's request log (full URLs) is filtered, ours and the traces redact it.
        builder.Logging.FilterFrameworkRequestLogs();
        builder.UseWhen<RequestLogMiddleware>(RequestLogMiddleware.IsHttpTrigger);
        builder.Services.AddDvcSync(builder.Configuration).AddSyncApi();
        builder.Services.AddSyncTelemetry(builder.Configuration, tracing => tracing.AddRedactedAspNetCoreInstrumentation()).UseFunctionsWorkerDefaults();
        return builder.Build();
    }
}
