using Azure.Monitor.OpenTelemetry.Exporter;
using DvcSync.Application.Reconciliation;
using DvcSync.Application.Repair;
using DvcSync.Application.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DvcSync.Infrastructure.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    public const string ServiceName = "dvcsync";

    /// <summary>
    /// OpenTelemetry for both hosts: the reconciliation's and repairs' traces, the pipeline's metrics and the outgoing
    /// HTTP calls, exported to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set and over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is. <paramref name="configureTracing"/> lets a host add its own instrumentation.
    /// </summary>
    public static OpenTelemetryBuilder AddSyncTelemetry(this IServiceCollection services, IConfiguration configuration,
        Action<TracerProviderBuilder>? configureTracing = null)
    {
        var appInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(SyncTelemetry.ActivitySourceName, ReconcileHandler.Activity.Name, RepairHandler.Activity.Name)
                    .AddHttpClientInstrumentation(http =>
                    {
                        // Request bodies are never recorded; the path names a dossier by MaHoSo only, which is allowed.
                        http.RecordException = false;
                    });
                configureTracing?.Invoke(tracing);
                if (!string.IsNullOrEmpty(appInsights)) tracing.AddAzureMonitorTraceExporter(o => o.ConnectionString = appInsights);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SyncTelemetry.MeterName).AddHttpClientInstrumentation();
                if (!string.IsNullOrEmpty(appInsights)) metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = appInsights);
            })
            .WithLogging(logging =>
            {
                if (!string.IsNullOrEmpty(appInsights)) logging.AddAzureMonitorLogExporter(o => o.ConnectionString = appInsights);
            }, options => options.IncludeFormattedMessage = true);

        if (!string.IsNullOrEmpty(otlp)) builder.UseOtlpExporter();
        return builder;
    }
}
