using System.Text.RegularExpressions;

namespace DvcSync.Infra.Tests;

/// <summary>docs/operations.md names every metric the alerts read, so the app emits exactly those.</summary>
[Collection(DeploymentCollection.Name)]
public sealed partial class OperationsDocTests(Deployments deployments)
{
    [Fact]
    public void Every_metric_an_alert_reads_is_in_the_operations_guide()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operations.md"));
        var names = deployments.Defaults.AlertRules
            .SelectMany(r => MetricName().Matches((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Select(m => m.Groups[1].Value))
            .Distinct().Order().ToList();
        Assert.Equal(["dvcsync.freshness", "dvcsync.poison_messages", "dvcsync.reconcile.runs", "dvcsync.repairs", "dvcsync.sync_rate"], names);
        foreach (var name in names)
            Assert.Contains($"`{name}`", guide);
        foreach (var dimension in new[] { "`outcome`", "`abandoned`", "`result`", "`finished`", "`agency`" })
            Assert.Contains(dimension, guide);
        // Each alert is explained under its own name (alert-dvcsync-<token>-<key>).
        foreach (var rule in deployments.Defaults.AlertRules)
        {
            var key = Regex.Match((string)rule["name"]!, "^alert-dvcsync-[a-z0-9]+-(?<key>.+)$").Groups["key"].Value;
            Assert.False(string.IsNullOrEmpty(key), "unexpected alert name " + rule["name"]);
            Assert.Contains($"`{key}`", guide);
        }
    }

    [Fact]
    public void The_guide_is_written_in_vietnamese_and_english()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operations.md"));
        Assert.Contains("## Tiếng Việt", guide);
        Assert.Contains("## English", guide);
        foreach (var must in new[] { "azd up", "/api/health", "-poison", "Key Vault", "DvcSync.Standalone", "rejected", "abandoned", "/resync" })
            Assert.Contains(must, guide);
    }

    /// <summary>
    /// The guide never tells anyone to fetch the master key or a host key (either opens every write route): each write
    /// route is called with the key named on that function, and the key commands are there in both languages.
    /// </summary>
    [Fact]
    public void The_guide_hands_out_function_keys_only()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operations.md"));
        Assert.DoesNotContain("--query masterKey", guide);
        Assert.DoesNotContain("--query functionKeys", guide);
        Assert.Contains("#### Khóa API", guide);
        Assert.Contains("#### API keys", guide);
        Assert.Contains("infra/set-function-keys.sh", guide);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "infra", "set-function-keys.sh")));
        foreach (var warning in new[] { "`masterKey`", "`functionKeys.default`", "az functionapp function keys set", "az functionapp function keys delete" })
            Assert.True(Regex.Matches(guide, Regex.Escape(warning)).Count >= 2, $"{warning} is not explained in both languages");

        // Each write key is read from the function it opens, and each write route is called with that key.
        var writeKeys = new Dictionary<string, string> { ["RESYNC"] = "Resync", ["AUDIT"] = "RequestAudit", ["CANCEL"] = "CancelAudit" };
        foreach (var (variable, function) in writeKeys)
            Assert.Contains($"{variable}=$(az functionapp function keys list -g $RG -n $APP --function-name {function} --query operator -o tsv)", guide);
        var writes = WriteCall().Matches(guide).ToList();
        Assert.True(writes.Count >= 6, $"only {writes.Count} write calls in the guide");
        foreach (var call in writes)
        {
            var expected = call.Groups["route"].Value switch
            {
                var r when r.Contains("/resync", StringComparison.Ordinal) => "RESYNC",
                _ when call.Groups["method"].Value == "DELETE" => "CANCEL",
                _ => "AUDIT",
            };
            Assert.True(call.Groups["key"].Value == expected, $"{call.Value} should use ${expected}");
        }
    }

    [GeneratedRegex(@"-X (?<method>POST|DELETE) -H ""x-functions-key: \$(?<key>\w+)"" ""?https://\$APP\.azurewebsites\.net(?<route>/api/\S+)")]
    private static partial Regex WriteCall();

    [GeneratedRegex("\"(dvcsync\\.[a-z0-9_.]+)\"")]
    private static partial Regex MetricName();
}
