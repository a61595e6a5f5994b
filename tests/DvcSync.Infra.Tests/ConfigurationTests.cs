using System.Text.RegularExpressions;

namespace DvcSync.Infra.Tests;

/// <summary>The function app gets every setting the project's contract names, under the exact names.</summary>
[Collection(DeploymentCollection.Name)]
public sealed partial class ConfigurationTests(Deployments deployments)
{
    /// <summary>
    /// The app settings of ../shared/contracts/sync-api.md ("Configuration", `:` written `__`) and of the README's
    /// configuration table that a deployment must set: the bindings read Sync:RepairQueue, Sync:ReconcileSchedule and
    /// Sync:AuditSchedule.
    /// Api:Keys and Api:AdminKeys are for hosts other than Functions; AzureWebJobsStorage is set in its
    /// managed-identity form (AzureWebJobsStorage__*); Storage:SqlitePath is the standalone host's embedded store,
    /// used only where there is no storage account, which a Functions app always has.
    /// </summary>
    public static readonly string[] RequiredSettings =
    [
        "NationalPortal__BaseUrl", "NationalPortal__Username", "NationalPortal__Password", "NationalPortal__DstCode",
        "NationalPortal__MaDonVi", "NationalPortal__MaxRequestsPerSecond",
        "ProvincialSystem__BaseUrl", "ProvincialSystem__ClientId", "ProvincialSystem__ClientSecret",
        "Sync__ReconcileSchedule", "Sync__AuditSchedule", "Sync__HistoryFrom", "Sync__RepairQueue",
        "Indicators__SyncRate__MaxPoints", "Indicators__SyncRate__Threshold",
        "Indicators__2.1__MaxPoints", "Indicators__2.1__Threshold", "Indicators__3.3__MaxPoints", "Indicators__3.3__Threshold",
        "Indicators__3.6__MaxPoints", "Indicators__3.6__Threshold", "Indicators__4.1__MaxPoints", "Indicators__4.1__Threshold",
        "Indicators__4.3__MaxPoints", "Indicators__4.3__Threshold", "Indicators__4.5__MaxPoints", "Indicators__4.5__Threshold",
        "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ];

    private static readonly HashSet<string> NotAppSettings = ["AzureWebJobsStorage", "Api:Keys", "Api:AdminKeys", "Storage:SqlitePath"];

    public static TheoryData<string> Environments() => new() { "defaults", "dev", "prod" };

    [Theory]
    [MemberData(nameof(Environments))]
    public void Every_required_setting_is_set(string environment)
    {
        var settings = deployments.Get(environment).AppSettings;
        var missing = RequiredSettings.Where(name => !settings.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value)).ToList();
        Assert.True(missing.Count == 0, "missing or empty app settings: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_setting_the_contract_lists_is_set()
    {
        if (!File.Exists(Repository.SyncApiContract))
            return; // The hard-coded list above covers it; the contract sits at ../shared only where the workspace has it.
        var keys = ContractKeys(File.ReadAllText(Repository.SyncApiContract));
        Assert.Contains("NationalPortal:Password", keys); // the parser read the table
        var settings = deployments.Defaults.AppSettings;
        var missing = keys.Where(k => !NotAppSettings.Contains(k)).Select(k => k.Replace(":", "__", StringComparison.Ordinal))
            .Where(name => !settings.ContainsKey(name)).ToList();
        Assert.True(missing.Count == 0, "sync-api.md lists settings the deployment does not set: " + string.Join(", ", missing));
        Assert.DoesNotContain("Storage__SqlitePath", settings.Keys);
    }

    [Fact]
    public void Every_binding_expression_of_the_functions_resolves_to_an_app_setting()
    {
        var functions = Path.Combine(Repository.Root, "src", "DvcSync.Functions");
        var expressions = Directory.EnumerateFiles(functions, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => BindingExpression().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Distinct().ToList();
        Assert.Contains("Sync:RepairQueue", expressions);
        Assert.Contains("Sync:ReconcileSchedule", expressions);
        Assert.Contains("Sync:AuditSchedule", expressions);
        var settings = deployments.Defaults.AppSettings;
        foreach (var expression in expressions)
            Assert.True(settings.ContainsKey(expression.Replace(":", "__", StringComparison.Ordinal)), $"%{expression}% has no app setting");
    }

    [Theory]
    [InlineData(15, "*/15 * * * * *", "PT60M")]
    [InlineData(300, "0 */5 * * * *", "PT60M")]
    [InlineData(1800, "0 */30 * * * *", "PT90M")]
    [InlineData(3600, "0 0 * * * *", "PT180M")]
    public void The_schedule_and_the_stalled_alert_follow_the_period(int seconds, string schedule, string stalledWindow)
    {
        var deployment = seconds == 15 ? deployments.Defaults : Deployments.Evaluate(Deployments.RequiredParameters + $"\nparam reconcileEverySeconds = {seconds}\n");
        Assert.Equal(schedule, deployment.AppSettings["Sync__ReconcileSchedule"]);
        var stalled = deployment.AlertRules.Single(r => ((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Contains("dvcsync.reconcile.runs", StringComparison.Ordinal));
        Assert.Equal(stalledWindow, (string?)stalled["properties"]!["windowSize"]);
    }

    [Fact]
    public void Defaults_match_the_documented_defaults()
    {
        var settings = deployments.Defaults.AppSettings;
        Assert.Equal("dossier-repair", settings["Sync__RepairQueue"]);
        Assert.Equal("2", settings["Indicators__SyncRate__MaxPoints"]);
        Assert.Equal("1.0", settings["Indicators__SyncRate__Threshold"]);
        Assert.Equal("20", settings["Indicators__2.1__MaxPoints"]);
        Assert.Equal("0.5", settings["Indicators__3.3__Threshold"]);
        // 1 January of the previous year, evaluated by ARM at deployment time.
        Assert.Equal("[format('{0}-01-01', sub(int(utcNow('yyyy')), 1))]", settings["Sync__HistoryFrom"]);
        Assert.Equal("https://portal.example.invalid", settings["NationalPortal__BaseUrl"]);
    }

    /// <summary>Keys of the contract's configuration table: `Section:Key`, and `:Key` continuing the previous section.</summary>
    internal static List<string> ContractKeys(string contract)
    {
        var section = contract[contract.IndexOf("## Configuration", StringComparison.Ordinal)..];
        var keys = new List<string>();
        foreach (var line in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var firstCell = line.Split('|')[1];
            string? prefix = null;
            foreach (Match token in Regex.Matches(firstCell, "`([^`]+)`"))
            {
                var key = token.Groups[1].Value;
                if (key.StartsWith(':') && prefix is not null)
                    key = prefix + key;
                else
                    prefix = key.Contains(':') ? key[..key.LastIndexOf(':')] : key;
                keys.Add(key);
            }
        }
        return keys;
    }

    // %Section:Key% inside a binding's string, e.g. "%Sync:RepairQueue%" or "%Sync:RepairQueue%-poison".
    [GeneratedRegex("%([A-Za-z][A-Za-z0-9_]*(?::[A-Za-z0-9_]+)+)%")]
    private static partial Regex BindingExpression();
}
