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
        Assert.Equal(["dvcsync.poison_messages", "dvcsync.reconcile.runs", "dvcsync.repairs", "dvcsync.sync_rate"], names);
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

    [GeneratedRegex("\"(dvcsync\\.[a-z0-9_.]+)\"")]
    private static partial Regex MetricName();
}
