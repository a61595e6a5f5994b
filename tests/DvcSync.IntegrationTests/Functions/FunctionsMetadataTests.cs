using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Functions;

/// <summary>
/// The Functions host cannot run here, so these read what it would read: the functions.metadata that the worker SDK
/// generates at build time, and host.json beside it. A renamed route, a lost "%setting%" or a wrong auth level fails here.
/// </summary>
public class FunctionsMetadataTests
{
    private static readonly string Output = Path.Combine(RepositoryRoot.Path, "src", "DvcSync.Functions", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug", "net10.0");

    private static readonly Lazy<JsonArray> Metadata = new(() =>
    {
        var file = Path.Combine(Output, "functions.metadata");
        Assert.True(File.Exists(file), $"{file} is missing: build src/DvcSync.Functions first");
        return JsonNode.Parse(File.ReadAllText(file))!.AsArray();
    });

    private static JsonObject Trigger(string function)
    {
        var entry = Metadata.Value.Select(f => f!.AsObject()).SingleOrDefault(f => f["name"]!.GetValue<string>() == function);
        Assert.True(entry is not null, $"function {function} is not in functions.metadata");
        return entry!["bindings"]!.AsArray().Select(b => b!.AsObject())
            .Single(b => b["direction"]!.GetValue<string>() == "In" && b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
    }

    [Fact]
    public void Exactly_the_expected_functions_exist()
    {
        var names = Metadata.Value.Select(f => f!["name"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["Audit", "CancelAudit", "CurrentAudit", "Dashboard", "Health", "Live", "OpenApi", "PoisonDrain", "Reconcile", "Repair",
            "RequestAudit", "Resync", "Scorecard", "SyncRate", "UnsyncedDossiers"], names);
    }

    [Fact]
    public void The_reconciliation_runs_on_the_configured_schedule()
    {
        var trigger = Trigger("Reconcile");
        Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("%Sync:ReconcileSchedule%", trigger["schedule"]!.GetValue<string>());
    }

    [Fact]
    public void The_audit_runs_its_slices_on_the_configured_schedule()
    {
        var trigger = Trigger("Audit");
        Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("%Sync:AuditSchedule%", trigger["schedule"]!.GetValue<string>());
    }

    [Fact]
    public void The_repair_reads_the_configured_queue_on_the_functions_storage()
    {
        var trigger = Trigger("Repair");
        Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("%Sync:RepairQueue%", trigger["queueName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", trigger["connection"]!.GetValue<string>());
    }

    [Fact]
    public void Poisoned_repairs_are_drained_from_the_poison_queue_of_the_same_queue()
    {
        var trigger = Trigger("PoisonDrain");
        Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal("%Sync:RepairQueue%-poison", trigger["queueName"]!.GetValue<string>());
        Assert.Equal("AzureWebJobsStorage", trigger["connection"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("SyncRate", "indicators/sync-rate", "get", "Function")]
    [InlineData("UnsyncedDossiers", "dossiers/unsynced", "get", "Function")]
    [InlineData("Health", "health", "get", "Function")]
    [InlineData("Live", "health/live", "get", "Anonymous")]
    [InlineData("Resync", "dossiers/{maHoSo}/resync", "post", "Function")]
    [InlineData("RequestAudit", "audits", "post", "Function")]
    [InlineData("CurrentAudit", "audits/current", "get", "Function")]
    [InlineData("CancelAudit", "audits/current", "delete", "Function")]
    [InlineData("OpenApi", "openapi.json", "get", "Anonymous")]
    [InlineData("Dashboard", "dashboard/{*file}", "get", "Anonymous")]
    public void Http_functions_have_the_contracts_routes_and_key_levels(string function, string route, string method, string authLevel)
    {
        var trigger = Trigger(function);
        Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
        Assert.Equal(route, trigger["route"]!.GetValue<string>());
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(authLevel, trigger["authLevel"]!.GetValue<string>());
    }

    /// <summary>
    /// The master key also manages keys and invokes any function, so no route may need it: write routes take a
    /// function key named on that function alone, which infra/set-function-keys.sh creates.
    /// </summary>
    [Fact]
    public void No_function_needs_the_master_key_and_every_keyed_one_gets_a_named_key_from_the_script()
    {
        var http = Metadata.Value.Select(f => f!["name"]!.GetValue<string>()).Select(name => (Name: name, Trigger: Trigger(name)))
            .Where(f => f.Trigger["type"]!.GetValue<string>() == "httpTrigger").ToList();
        Assert.NotEmpty(http);
        Assert.All(http, f => Assert.NotEqual("Admin", f.Trigger["authLevel"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase));
        Assert.All(http, f => Assert.NotEqual("System", f.Trigger["authLevel"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase));

        var script = File.ReadAllText(RepositoryRoot.Combine("infra", "set-function-keys.sh"));
        var keyed = http.Where(f => f.Trigger["authLevel"]!.GetValue<string>() == "Function").Select(f => f.Name).Order().ToList();
        var named = System.Text.RegularExpressions.Regex.Matches(script, @"^(?:READ|WRITE)_FUNCTIONS=\(([^)]*)\)", System.Text.RegularExpressions.RegexOptions.Multiline)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Order().ToList();
        Assert.Equal(keyed, named);
    }

    [Fact]
    public void Host_json_ships_with_the_api_prefix_and_the_queue_semantics_the_repair_relies_on()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(Output, "host.json")))!;
        Assert.Equal("2.0", host["version"]!.GetValue<string>());
        Assert.Equal("api", host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Equal(5, host["extensions"]!["queues"]!["maxDequeueCount"]!.GetValue<int>());
        Assert.Equal("base64", host["extensions"]!["queues"]!["messageEncoding"]!.GetValue<string>());
        // A failed delivery comes back after a real delay, not at once: five deliveries burnt in seconds on a storage
        // blip would send the dossier to poison, then abandoned. The standalone poller waits as long.
        var redelivery = TimeSpan.Parse(host["extensions"]!["queues"]!["visibilityTimeout"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(redelivery >= TimeSpan.FromMinutes(1), $"visibilityTimeout {redelivery}");
        Assert.Equal(DvcSync.Standalone.Hosting.RepairPollerOptions.DefaultRedeliveryDelay, redelivery);
        // A reconciliation slice, then its pages in flight, its bounded sweep and its save, end before the host kills it.
        var functionTimeout = TimeSpan.Parse(host["functionTimeout"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(functionTimeout - DvcSync.Application.Configuration.SyncOptions.DefaultReconcileSlice
                    >= DvcSync.Application.Reconciliation.ReconcileHandler.SweepBound + TimeSpan.FromMinutes(1), $"functionTimeout {functionTimeout}");
    }

    /// <summary>
    /// The host exports its own logs and traces through OpenTelemetry, as the worker does, and leaves the worker's logs
    /// to the worker (which says it exports them: DvcSync.UnitTests/Functions/TelemetryModeTests), so a line reaches Application Insights once.
    /// </summary>
    [Fact]
    public void Host_json_runs_the_host_in_OpenTelemetry_mode()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(Output, "host.json")))!;
        Assert.Equal("OpenTelemetry", host["telemetryMode"]?.GetValue<string>());
        // Settings of the Application Insights SDK, which the host does not load in that mode.
        Assert.Null(host["logging"]!["applicationInsights"]);
    }

    [Fact]
    public void Every_setting_a_binding_names_is_in_the_sample_settings()
    {
        var sample = JsonNode.Parse(File.ReadAllText(RepositoryRoot.Combine("local.settings.sample.json")))!["Values"]!.AsObject();
        var referenced = Metadata.Value.SelectMany(f => f!["bindings"]!.AsArray())
            .SelectMany(b => b!.AsObject().Select(p => p.Value))
            .OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>())
            .Where(v => v.StartsWith('%') && v.EndsWith('%')).Select(v => v.Trim('%').Replace(":", "__"))
            .Distinct().ToList();
        Assert.NotEmpty(referenced);
        foreach (var setting in referenced) Assert.True(sample.ContainsKey(setting), $"{setting} is not in local.settings.sample.json");
    }
}
