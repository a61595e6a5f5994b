using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using DvcSync.Testing;
using Microsoft.Extensions.Configuration;

namespace DvcSync.Benchmarks;

/// <summary>
/// Issue 4's benchmark: a year of a large province in the ledger on Azurite, then a year-long province-wide sync
/// rate answered from the month roll-ups, next to a naive scan of the ledger computing the same figure.
/// Usage: dotnet run -c Release --project bench/DvcSync.Benchmarks -- [--dossiers 500000] [--agencies 130] [--runs 40]
/// </summary>
public static class IndicatorBenchmark
{
    private const string Province = "000.00.00.H19";

    public static async Task<int> RunAsync(string[] args)
    {
        var dossiers = Arg(args, "--dossiers", 500_000);
        var agencyCount = Arg(args, "--agencies", 130);
        var runs = Arg(args, "--runs", 40);
        var naiveRuns = Arg(args, "--naive-runs", 3);
        Console.WriteLine($"Indicator benchmark: {dossiers:N0} dossiers, {agencyCount} agencies, year 2025; {Environment.ProcessorCount} cores");

        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            var account = StorageAccount.For(new StorageAccountOptions { ConnectionString = azurite.ConnectionString });
            var ledgerTable = account.Table(StorageOptions.LedgerTableName);
            var stateTable = account.Table(StorageOptions.StateTableName);
            var rollupTable = account.Table(StorageOptions.RollupTableName);
            await rollupTable.CreateIfNotExistsAsync();
            await ledgerTable.CreateIfNotExistsAsync();
            await stateTable.CreateIfNotExistsAsync();

            var agencies = Agencies(agencyCount);
            var load = Stopwatch.StartNew();
            var (expectedReceived, expectedSynced) = await LoadAsync(ledgerTable, agencies, dossiers);
            var ledger = new TableSyncLedger(ledgerTable, new PartitionRegistry(stateTable), rollupTable);
            foreach (var agency in agencies.Skip(1)) await new PartitionRegistry(stateTable).EnsureAsync(agency.MaDonVi, CancellationToken.None);
            await ledger.RepairRollupCopiesAsync(CancellationToken.None);
            Console.WriteLine($"Loaded in {load.Elapsed.TotalSeconds:0.0} s ({dossiers / load.Elapsed.TotalSeconds:N0} dossiers/s, entries + day rows + month roll-ups)");

            var query = new SyncRateQuery(new AgencyDirectory(new AgenciesOnly(agencies), new TableAgencyArchive(stateTable, new PartitionRegistry(stateTable)), TimeProvider.System), ledger,
                new SyncRateScoringOptions());
            var year = new PeriodQuery(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));

            SyncRateReport? report = null;
            var ours = await MeasureAsync(runs, async () => report = (await query.HandleAsync(year, null, CancellationToken.None)).Value);
            Console.WriteLine($"Roll-up query: received {report!.Received:N0}, synced {report.Synced:N0}; median {Median(ours):0.0} ms, p95 {P95(ours):0.0} ms over {runs} runs");

            (long Received, long Synced) naive = default;
            // No warm-up: a scan of the whole ledger warms itself, and each one takes minutes at this size.
            var scan = await MeasureAsync(naiveRuns, async () => naive = await NaiveScanAsync(ledgerTable), warmUp: false);
            Console.WriteLine($"Naive scan:    received {naive.Received:N0}, synced {naive.Synced:N0}; median {Median(scan):0.0} ms, p95 {P95(scan):0.0} ms over {naiveRuns} runs");
            Console.WriteLine($"Speed-up (median): {Median(scan) / Median(ours):0}x; goal ≥ 100x and p95 ≤ 50 ms: {(Median(scan) / Median(ours) >= 100 && P95(ours) <= 50 ? "met" : "NOT met")}");

            var agree = report.Received == naive.Received && report.Synced == naive.Synced && naive.Received == expectedReceived && naive.Synced == expectedSynced;
            Console.WriteLine(agree ? "Figures agree." : $"FIGURES DISAGREE: expected {expectedReceived}/{expectedSynced}");
            return agree ? 0 : 1;
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>A province with departments and communes under it, one level, as since 1 July 2025.</summary>
    internal static List<Agency> Agencies(int count)
    {
        var list = new List<Agency> { new(Province, "UBND tỉnh", "TINH", null) };
        for (var i = 1; i < count; i++)
            list.Add(i <= 20
                ? new Agency($"000.00.{i:00}.H19", $"Sở {i}", "SO", Province)
                : new Agency($"000.{i / 100 + 30:00}.{i % 100:00}.H19", $"Xã {i}", "XA", Province));
        return list;
    }

    private static async Task<(long Received, long Synced)> LoadAsync(TableClient table, List<Agency> agencies, int dossiers)
    {
        var random = new Random(2025);
        var perAgency = agencies.Skip(1).ToDictionary(a => a.MaDonVi, _ => new List<(DateOnly Day, bool Held, int N)>());
        var codes = perAgency.Keys.ToArray();
        for (var n = 0; n < dossiers; n++)
        {
            // Departments receive more than communes, as they do.
            var agency = codes[random.NextDouble() < 0.5 ? random.Next(0, Math.Min(20, codes.Length)) : random.Next(0, codes.Length)];
            perAgency[agency].Add((new DateOnly(2025, 1, 1).AddDays(random.Next(0, 365)), random.NextDouble() < 0.985, n));
        }

        long received = 0, synced = 0;
        await Parallel.ForEachAsync(perAgency, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, ct) =>
        {
            var (agency, items) = pair;
            var entities = new List<TableEntity>(items.Count + 400);
            foreach (var (day, held, n) in items)
            {
                var maHoSo = $"{agency}-{day:yyMMdd}-{n:0000000}";
                entities.Add(new TableEntity(agency, "h|" + maHoSo)
                {
                    ["MaHoSo"] = maHoSo, ["MaDonVi"] = agency, ["NgayTiepNhan"] = VnTime.StartOfDay(day).AddHours(9),
                    ["TrangThaiHoSo"] = 4, ["PhienBan"] = 1L, ["State"] = held ? "synced" : "pending", ["PortalHolds"] = held,
                    ["Attempts"] = 0, ["UpdatedAt"] = DateTimeOffset.UtcNow,
                });
            }
            foreach (var day in items.GroupBy(i => i.Day))
                entities.Add(new TableEntity(agency, $"d|{day.Key:yyyyMMdd}") { ["Seen"] = (long)day.Count(), ["Synced"] = (long)day.Count(i => i.Held), ["Reported"] = (long)day.Count() });
            foreach (var month in items.GroupBy(i => new DateOnly(i.Day.Year, i.Day.Month, 1)))
                entities.Add(new TableEntity(agency, $"m|{month.Key:yyyyMM}") { ["Received"] = (long)month.Count(), ["Synced"] = (long)month.Count(i => i.Held), ["Version"] = 1L });
            foreach (var chunk in entities.Chunk(100))
                await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
            Interlocked.Add(ref received, items.Count);
            Interlocked.Add(ref synced, items.Count(i => i.Held));
        });
        return (received, synced);
    }

    /// <summary>What one would write without the roll-ups: read every entry of the year and count.</summary>
    private static async Task<(long Received, long Synced)> NaiveScanAsync(TableClient table)
    {
        long received = 0, synced = 0;
        var from = VnTime.StartOfDay(new DateOnly(2025, 1, 1));
        var to = VnTime.StartOfDay(new DateOnly(2026, 1, 1));
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.RowKey.CompareTo("h|") >= 0 && r.RowKey.CompareTo("h}") < 0,
                           select: ["NgayTiepNhan", "PortalHolds"]))
        {
            if (row.GetDateTimeOffset("NgayTiepNhan") is not { } at || at < from || at >= to) continue;
            received++;
            if (row.GetBoolean("PortalHolds") == true) synced++;
        }
        return (received, synced);
    }

    internal static async Task<List<double>> MeasureAsync(int runs, Func<Task> action, bool warmUp = true)
    {
        if (warmUp) await action(); // connections, JIT
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    internal static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);
    internal static double P95(List<double> times) => times.Order().ElementAt(Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1));

    internal static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;
    }

    /// <summary>The benchmark measures storage, not the provincial system: only the agency list is needed.</summary>
    internal sealed class AgenciesOnly(IReadOnlyList<Agency> agencies) : IProvincialSystem
    {
        public Task<IReadOnlyList<Agency>> GetAgenciesAsync(CancellationToken cancellationToken) => Task.FromResult(agencies);
        public Task<ChangedDossiersPage> GetChangedAsync(DateTimeOffset from, DateTimeOffset to, string? cursor, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<SourceDossier?> GetDossierAsync(string maHoSo, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<JsonObject>> GetStepsAsync(string maHoSo, CancellationToken cancellationToken) => throw new NotSupportedException();
        public Task<IReadOnlyList<ReportedReceivedCount>> GetReceivedCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
