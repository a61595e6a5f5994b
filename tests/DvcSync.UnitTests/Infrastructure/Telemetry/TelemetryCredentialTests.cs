using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using DvcSync.Functions;
using DvcSync.Infrastructure.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DvcSync.UnitTests.Infrastructure.Telemetry;

/// <summary>
/// Application Insights refuses key-only telemetry (infra: DisableLocalAuth), so with the deployment's
/// APPLICATIONINSIGHTS_AUTHENTICATION_STRING every Azure Monitor exporter of the app carries the managed identity.
/// </summary>
public class TelemetryCredentialTests
{
    private const string ConnectionString = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://ingest.example/";

    [Fact]
    public void Every_azure_monitor_exporter_of_the_functions_app_authenticates_with_the_deployments_identity()
    {
        using var host = FunctionsApp.Build(RealHostTests.Args(new Dictionary<string, string>(RealHostTests.Valid)
        {
            ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = ConnectionString,
            [TelemetryServiceCollectionExtensions.AuthenticationKey] = "ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD",
        }));

        var configurations = host.Services.GetServices<IConfigureOptions<AzureMonitorExporterOptions>>()
            .OfType<ConfigureNamedOptions<AzureMonitorExporterOptions>>()
            .Count(c => c.Name == TelemetryServiceCollectionExtensions.ExporterOptionsName);
        Assert.Equal(3, configurations); // traces, metrics, logs
        var exporter = host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(TelemetryServiceCollectionExtensions.ExporterOptionsName);
        Assert.Equal(ConnectionString, exporter.ConnectionString);
        Assert.IsType<ManagedIdentityCredential>(exporter.Credential);
    }

    [Theory]
    [InlineData("Authorization=AAD")]
    [InlineData("ClientId=11111111-2222-3333-4444-555555555555;Authorization=AAD")]
    [InlineData(" authorization = aad ; clientid = 11111111-2222-3333-4444-555555555555 ")]
    public void The_functions_hosts_format_gives_a_managed_identity(string authentication) =>
        Assert.IsType<ManagedIdentityCredential>(TelemetryServiceCollectionExtensions.AzureMonitorCredential(authentication));

    [Fact]
    public void Without_the_setting_the_connection_strings_key_authenticates() =>
        Assert.Null(TelemetryServiceCollectionExtensions.AzureMonitorCredential(null));

    [Theory]
    [InlineData("Authorization=Key")]
    [InlineData("ClientId=abc")]
    [InlineData("Authorization=AAD;Secret=x")]
    public void Anything_else_stops_the_start_naming_the_setting(string authentication)
    {
        var e = Assert.Throws<InvalidOperationException>(() => TelemetryServiceCollectionExtensions.AzureMonitorCredential(authentication));
        Assert.Contains(TelemetryServiceCollectionExtensions.AuthenticationKey, e.Message);
        Assert.DoesNotContain("Secret=x", e.Message);
    }
}
