using DvcSync.Api;
using DvcSync.Infrastructure;
using DvcSync.Infrastructure.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

namespace DvcSync.Functions;

/// <summary>The Azure Functions isolated worker: the platform's triggers over the handlers the standalone host also runs.</summary>
public static class FunctionsApp
{
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
