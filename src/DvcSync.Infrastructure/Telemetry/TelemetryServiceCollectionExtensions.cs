using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using DvcSync.Application.Audit;
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

    /// <summary>The setting the Functions host reads to authenticate its own telemetry; the app's exporters read it too.</summary>
    public const string AuthenticationKey = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>The named options of the three Azure Monitor exporters: named, they are configured through the options
    /// pipeline, where a host and its tests can read them.</summary>
    public const string ExporterOptionsName = "dvcsync";

    /// <summary>Every activity source the project creates: a source left out here is never exported.</summary>
    public static readonly IReadOnlyList<string> ActivitySources = [ReconcileHandler.Activity.Name, RepairHandler.Activity.Name, AuditHandler.Activity.Name];

    /// <summary>
    /// OpenTelemetry for both hosts: the reconciliation's, audits' and repairs' traces, the pipeline's metrics and the outgoing
    /// HTTP calls, exported to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set and over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is. With <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING</c> the Azure Monitor
    /// exporters authenticate with that managed identity, as Application Insights requires once its local (key-only)
    /// authentication is off. <paramref name="configureTracing"/> lets a host add its own instrumentation.
    /// </summary>
    public static OpenTelemetryBuilder AddSyncTelemetry(this IServiceCollection services, IConfiguration configuration,
        Action<TracerProviderBuilder>? configureTracing = null)
    {
        var appInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var credential = AzureMonitorCredential(configuration[AuthenticationKey]);
        void AzureMonitor(AzureMonitorExporterOptions exporter)
        {
            exporter.ConnectionString = appInsights;
            exporter.Credential = credential;
        }

        var builder = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource([.. ActivitySources])
                    .AddHttpClientInstrumentation(http =>
                    {
                        // Request bodies are never recorded; the path names a dossier by MaHoSo only, which is allowed.
                        http.RecordException = false;
                    });
                configureTracing?.Invoke(tracing);
                if (!string.IsNullOrEmpty(appInsights)) tracing.AddAzureMonitorTraceExporter(AzureMonitor, name: ExporterOptionsName);
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SyncTelemetry.MeterName).AddHttpClientInstrumentation();
                if (!string.IsNullOrEmpty(appInsights)) metrics.AddAzureMonitorMetricExporter(AzureMonitor, name: ExporterOptionsName);
            })
            .WithLogging(logging =>
            {
                if (!string.IsNullOrEmpty(appInsights)) logging.AddAzureMonitorLogExporter(AzureMonitor, name: ExporterOptionsName);
            }, options => options.IncludeFormattedMessage = true);

        if (!string.IsNullOrEmpty(otlp)) builder.UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// The identity of <c>Authorization=AAD[;ClientId=&lt;user-assigned identity&gt;]</c> (the Functions host's format);
    /// null when the setting is absent, and the connection string's key authenticates (a one-machine install).
    /// </summary>
    internal static TokenCredential? AzureMonitorCredential(string? authentication)
    {
        if (string.IsNullOrWhiteSpace(authentication)) return null;
        var parts = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2, StringSplitOptions.TrimEntries))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : "", StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var scheme) || !scheme.Equals("AAD", StringComparison.OrdinalIgnoreCase)
            || parts.Keys.Any(k => !k.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !k.Equals("ClientId", StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"{AuthenticationKey} must be 'Authorization=AAD' or 'ClientId=<managed identity client id>;Authorization=AAD'");
        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }
}
