using Azure.Data.Tables;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// Shows that a ledger written by <see cref="LedgerBulkLoader"/> is the one the pipeline itself writes: the same province
/// is loaded under one prefix and reconciled from nothing by the real reconciliation (portal instant) under another, and
/// every row of the ledger, the roll-up copies and the partition registry is compared. Left out: times (UpdatedAt,
/// ConfirmedAt, the table's Timestamp) and the versions that only order roll-up copies (the pipeline counts its saves,
/// the loader starts at 1).
/// </summary>
internal static class LoaderCheck
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "Timestamp", "odata.etag", "UpdatedAt", "ConfirmedAt" };

    public static async Task<bool> RunAsync(int dossiers, DateOnly start)
    {
        ScaleBenchmark.Header($"0. The bulk-loaded ledger equals the reconciled one ({dossiers:N0} dossiers)");
        await using var province = await Province.StartAsync(dossiers, start, "--all-synced", "--portal-rps", "0", "--portal-latency-ms", "0");
        await province.LoadConfirmedLedgerAsync("loaded");
        var run = await ChildRun.RunAsync(new ChildSpec
        {
            Kind = "reconcile",
            Settings = province.Settings("reconciled", 1000),
            Ports = province.Ports,
        }, "first reconciliation of the same province from an empty ledger");
        ScaleBenchmark.Say($"reconciliation: {run.Number("dossiersRead"):N0} read, {run.Number("portalLookups"):N0} looked up, {run.WallSeconds:0.0} s");

        var storage = province.Storage;
        var differences = new List<string>();
        var compared = 0;
        foreach (var (table, partition) in new[] { (StorageOptions.LedgerTableName, (string?)null), (StorageOptions.RollupTableName, null), (StorageOptions.StateTableName, "ledger-partitions") })
        {
            var loaded = await RowsAsync(storage.Table("loaded" + table), partition);
            var reconciled = await RowsAsync(storage.Table("reconciled" + table), partition);
            compared += reconciled.Count;
            foreach (var key in loaded.Keys.Union(reconciled.Keys).Order(StringComparer.Ordinal))
            {
                var a = loaded.GetValueOrDefault(key);
                var b = reconciled.GetValueOrDefault(key);
                if (a is null || b is null) differences.Add($"{table} {key}: only in the {(a is null ? "reconciled" : "loaded")} ledger");
                else if (a != b) differences.Add($"{table} {key}: loaded {{{a}}} reconciled {{{b}}}");
            }
        }
        foreach (var difference in differences.Take(10)) ScaleBenchmark.Say("DIFFERENCE " + difference);
        var same = differences.Count == 0 && compared > dossiers;
        ScaleBenchmark.Say($"check: {compared:N0} rows compared, {differences.Count} differences: {(same ? "yes" : "NO")}");
        return same;
    }

    private static async Task<Dictionary<string, string>> RowsAsync(TableClient table, string? partition)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        var query = partition is null ? table.QueryAsync<TableEntity>() : table.QueryAsync<TableEntity>(e => e.PartitionKey == partition);
        await foreach (var row in query)
            rows[row.PartitionKey + " / " + row.RowKey] = string.Join(", ", row.Keys
                .Where(k => !Ignored.Contains(k) && !k.StartsWith("Version", StringComparison.Ordinal) && k is not ("PartitionKey" or "RowKey"))
                .Order(StringComparer.Ordinal)
                .Select(k => $"{k}={Value(row[k])}"));
        return rows;
    }

    private static string Value(object? value) => value switch
    {
        DateTimeOffset d => d.UtcDateTime.ToString("O"),
        DateTime d => d.ToUniversalTime().ToString("O"),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
