using DvcSync.Api;
using DvcSync.Application.Configuration;
using DvcSync.Application.Reconciliation;
using DvcSync.Application.Repair;
using DvcSync.Core.Ports;
using DvcSync.Functions;
using DvcSync.Infrastructure.Storage;
using DvcSync.Standalone;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

// The standalone host runs on Microsoft.Extensions.Options 11 (through the systemd package), which marks the
// synchronous startup validator obsolete; the Functions host and StartupCheck still use it, as these tests do.
#pragma warning disable SYSLIB0066

namespace DvcSync.UnitTests.Infrastructure;

/// <summary>
/// Both apps' real hosts, built from configuration exactly as they start (nothing is started or called): a missing
/// registration, a captive dependency or a bad setting fails here rather than in production.
/// </summary>
public class RealHostTests
{
    internal static readonly Dictionary<string, string> Valid = new()
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["NationalPortal:BaseUrl"] = "https://portal.example/adapter",
        ["NationalPortal:Username"] = "user",
        ["NationalPortal:Password"] = "password",
        ["NationalPortal:DstCode"] = "H19",
        ["NationalPortal:MaDonVi"] = "000.00.00.H19",
        ["ProvincialSystem:BaseUrl"] = "https://provincial.example",
        ["ProvincialSystem:ClientId"] = "client",
        ["ProvincialSystem:ClientSecret"] = "secret",
        ["Sync:ReconcileSchedule"] = "0 */5 * * * *",
        ["Sync:RepairQueue"] = "dossier-repair",
    };

    internal static string[] Args(IDictionary<string, string> settings) => settings.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

    /// <summary>Arguments with which both hosts build and validate.</summary>
    public static string[] ValidArgs() => Args(Valid);

    [Fact]
    public void The_Functions_host_builds_with_every_service_validated()
    {
        // Its function classes, found by reflection, are built in Functions/FunctionRegistrationTests.
        using var host = FunctionsApp.Build(Args(Valid));
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(host.Services.GetRequiredService<INationalPortal>());
        Assert.NotNull(host.Services.GetRequiredService<IProvincialSystem>());
    }

    [Fact]
    public void The_standalone_host_builds_with_every_service_validated()
    {
        using var app = StandaloneApp.Build(Args(Valid));
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(app.Services.GetRequiredService<ISyncApi>());
        Assert.NotNull(app.Services.GetRequiredService<IReconcileHandler>());
        Assert.NotNull(app.Services.GetRequiredService<IRepairHandler>());
        Assert.NotNull(app.Services.GetRequiredService<IPoisonDrainHandler>());
        Assert.True(app.Services.GetServices<IHostedService>().Count() >= 4);
    }

    [Theory]
    [InlineData("NationalPortal:BaseUrl", "not a url")]
    [InlineData("NationalPortal:Password", "")]
    [InlineData("ProvincialSystem:BaseUrl", "ftp://provincial.example")]
    [InlineData("NationalPortal:BaseUrl", "http://portal.example/adapter")]
    [InlineData("ProvincialSystem:BaseUrl", "http://provincial.example")]
    [InlineData("NationalPortal:MaxRequestsPerSecond", "0")]
    public void A_bad_external_system_setting_fails_validation_naming_the_key_in_both_hosts(string key, string value)
    {
        var settings = new Dictionary<string, string>(Valid) { [key] = value };

        using var host = FunctionsApp.Build(Args(settings));
        var functionsError = Assert.ThrowsAny<Exception>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(key, Flatten(functionsError));

        using var app = StandaloneApp.Build(Args(settings));
        var standaloneError = Assert.ThrowsAny<Exception>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(key, Flatten(standaloneError));
    }

    [Theory]
    [InlineData("Sync:ReconcileSchedule", "*/5 * * * *")]
    [InlineData("Sync:HistoryFrom", "01/01/2025")]
    [InlineData("Sync:RepairQueue", "Repair_Queue")]
    [InlineData("AzureWebJobsStorage", "not a connection string")]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "http://insecure.example")]
    [InlineData("Indicators:SyncRate:Threshold", "1.5")]
    public async Task A_bad_sync_or_storage_setting_stops_the_start_naming_the_key(string key, string value)
    {
        var settings = new Dictionary<string, string>(Valid) { [key] = value };
        if (key.StartsWith("AzureWebJobsStorage:", StringComparison.Ordinal)) settings["AzureWebJobsStorage:tableServiceUri"] = "https://account.table.core.windows.net";

        var named = key.Split(':')[0] == "AzureWebJobsStorage" ? "AzureWebJobsStorage" : key;
        Assert.Contains(named, await StartFailureAsync(() => FunctionsApp.Build(Args(settings))));
        Assert.Contains(named, await StartFailureAsync(() => StandaloneApp.Build(Args(settings))));
    }

    [Theory]
    [InlineData("Sync:RepairVisibilityTimeoutSeconds", "0")]
    [InlineData("Sync:RepairRedeliverySeconds", "-1")]
    [InlineData("Sync:RepairConcurrency", "many")]
    [InlineData("Sync:QueuePollMaxMilliseconds", "0")]
    public async Task A_bad_repair_poller_setting_stops_the_standalone_start_naming_the_key(string key, string value)
    {
        var settings = new Dictionary<string, string>(Valid) { [key] = value };

        Assert.Contains(key, await StartFailureAsync(() => StandaloneApp.Build(Args(settings))));
    }

    [Fact]
    public async Task Every_bad_key_of_every_section_is_named_at_once_by_both_hosts()
    {
        var shared = new Dictionary<string, string>
        {
            ["Sync:PageSize"] = "many",
            ["Sync:LookupConcurrency"] = "0",
            ["Sync:AuditSchedule"] = "* * * * *",
            ["Sync:TablePrefix"] = "1st",
            ["NationalPortal:MaxRequestsPerSecond"] = "0",
            ["ProvincialSystem:ClientSecret"] = "",
            ["Indicators:SyncRate:Threshold"] = "2",
            ["AzureWebJobsStorage:accountName"] = "Not_An_Account",
        };
        var standaloneOnly = new Dictionary<string, string>
        {
            ["Sync:RepairConcurrency"] = "65",
            ["Sync:ReconcileOnStartup"] = "sometimes",
            ["Api:AdminKeys"] = "short",
        };
        var settings = new Dictionary<string, string>(Valid);
        foreach (var (key, value) in shared.Concat(standaloneOnly)) settings[key] = value;

        var functions = await StartFailureAsync(() => FunctionsApp.Build(Args(settings)));
        foreach (var key in shared.Keys) Assert.Contains(key.Replace("AzureWebJobsStorage:", "AzureWebJobsStorage__", StringComparison.Ordinal), functions);
        var standalone = await StartFailureAsync(() => StandaloneApp.Build(Args(settings)));
        foreach (var key in shared.Keys.Concat(standaloneOnly.Keys)) Assert.Contains(key.Replace("AzureWebJobsStorage:", "AzureWebJobsStorage__", StringComparison.Ordinal), standalone);
        Assert.DoesNotContain("   at ", standalone);
    }

    [Fact]
    public async Task An_account_name_alone_reaches_the_accounts_endpoints_with_a_managed_identity()
    {
        var settings = new Dictionary<string, string>(Valid) { ["AzureWebJobsStorage:accountName"] = "dvcsyncprod", ["AzureWebJobsStorage:clientId"] = "11111111-2222-3333-4444-555555555555" };
        settings.Remove("AzureWebJobsStorage");

        using var host = await StartupCheck.BuildAsync(() => FunctionsApp.Build(Args(settings)), TextWriter.Null);
        Assert.NotNull(host);
        var account = host.Services.GetRequiredService<StorageAccount>();
        Assert.Equal("https://dvcsyncprod.table.core.windows.net/SyncLedger", account.Table("SyncLedger").Uri.ToString());
        Assert.Equal("https://dvcsyncprod.queue.core.windows.net/dossier-repair", account.Queue("dossier-repair").Uri.ToString());
    }

    /// <summary>What a program prints when it will not start (<see cref="StartupCheck"/>), as both programs start.</summary>
    private static async Task<string> StartFailureAsync<THost>(Func<THost> build) where THost : class, IHost
    {
        var error = new StringWriter();
        Assert.Null(await StartupCheck.BuildAsync(build, error));
        return error.ToString();
    }

    private static string Flatten(Exception e) => e switch
    {
        OptionsValidationException options => string.Join("; ", options.Failures),
        AggregateException aggregate => string.Join("; ", aggregate.InnerExceptions.Select(Flatten)),
        _ => e.Message,
    };
}
