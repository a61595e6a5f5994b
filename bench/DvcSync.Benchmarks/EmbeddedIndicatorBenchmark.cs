using System.Diagnostics;
using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Sqlite;
using Microsoft.Data.Sqlite;

namespace DvcSync.Benchmarks;

/// <summary>
/// <see cref="IndicatorBenchmark"/> on the embedded store: the same province and year, written through the store's own
/// ledger writer (batches of entries, their day counts and month roll-ups in one transaction each), then the year-long
/// province-wide sync rate through the real <see cref="SyncRateQuery"/>, next to a naive count of every entry.
/// Usage: dotnet run -c Release --project bench/DvcSync.Benchmarks -- indicator --store sqlite [--dossiers 500000] [--agencies 130] [--runs 40]
/// </summary>
public static class EmbeddedIndicatorBenchmark
{
    private const int Batch = 2000;

    public static async Task<int> RunAsync(string[] args)
    {
        var dossiers = IndicatorBenchmark.Arg(args, "--dossiers", 500_000);
        var agencyCount = IndicatorBenchmark.Arg(args, "--agencies", 130);
        var runs = IndicatorBenchmark.Arg(args, "--runs", 40);
        Console.WriteLine($"Indicator benchmark on the embedded store: {dossiers:N0} dossiers, {agencyCount} agencies, year 2025; {Environment.ProcessorCount} cores");

        var folder = Path.Combine(Path.GetTempPath(), "dvcsync-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var store = new SqliteStore(Path.Combine(folder, "dvcsync.db"));
            var ledger = new SqliteSyncLedger(store);
            var agencies = IndicatorBenchmark.Agencies(agencyCount);

            var load = Stopwatch.StartNew();
            var (expectedReceived, expectedSynced) = await LoadAsync(ledger, agencies, dossiers);
            Console.WriteLine($"Loaded in {load.Elapsed.TotalSeconds:0.0} s ({dossiers / load.Elapsed.TotalSeconds:N0} dossiers/s through the ledger writer, " +
                              $"{Batch} a transaction); file {new FileInfo(store.Path).Length / 1048576.0:0} MB");

            var query = new SyncRateQuery(new AgencyDirectory(new IndicatorBenchmark.AgenciesOnly(agencies), new SqliteAgencyArchive(store), TimeProvider.System), ledger,
                new SyncRateScoringOptions());
            var year = new PeriodQuery(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));
            SyncRateReport? report = null;
            var ours = await IndicatorBenchmark.MeasureAsync(runs, async () => report = (await query.HandleAsync(year, null, CancellationToken.None)).Value);
            Console.WriteLine($"Roll-up query: received {report!.Received:N0}, synced {report.Synced:N0}; median {IndicatorBenchmark.Median(ours):0.0} ms, p95 {IndicatorBenchmark.P95(ours):0.0} ms over {runs} runs");

            (long Received, long Synced) naive = default;
            var scan = await IndicatorBenchmark.MeasureAsync(3, async () => naive = await store.ReadAsync(NaiveCount, CancellationToken.None), warmUp: false);
            Console.WriteLine($"Naive count:   received {naive.Received:N0}, synced {naive.Synced:N0}; median {IndicatorBenchmark.Median(scan):0.0} ms over 3 runs");

            var agree = report.Received == naive.Received && report.Synced == naive.Synced && naive.Received == expectedReceived && naive.Synced == expectedSynced;
            Console.WriteLine(agree ? "Figures agree." : $"FIGURES DISAGREE: expected {expectedReceived}/{expectedSynced}");
            return agree ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(long Received, long Synced)> LoadAsync(ISyncLedger ledger, List<Core.Agencies.Agency> agencies, int dossiers)
    {
        var random = new Random(2025);
        var codes = agencies.Skip(1).Select(a => a.MaDonVi).ToArray();
        long received = 0, synced = 0;
        var batch = new List<LedgerChange>(Batch);
        for (var n = 0; n < dossiers; n++)
        {
            var agency = codes[random.NextDouble() < 0.5 ? random.Next(0, Math.Min(20, codes.Length)) : random.Next(0, codes.Length)];
            var day = new DateOnly(2025, 1, 1).AddDays(random.Next(0, 365));
            var held = random.NextDouble() < 0.985;
            batch.Add(new LedgerChange(null, new LedgerEntry
            {
                MaHoSo = $"{agency}-{day:yyMMdd}-{n:0000000}", MaDonVi = agency, NgayTiepNhan = VnTime.StartOfDay(day).AddHours(9),
                TrangThaiHoSo = 4, PhienBan = 1, State = held ? SyncState.Synced : SyncState.Pending, PortalHolds = held, UpdatedAt = DateTimeOffset.UtcNow,
            }));
            received++;
            if (held) synced++;
            if (batch.Count == Batch) await SaveAsync(ledger, batch);
        }
        if (batch.Count > 0) await SaveAsync(ledger, batch);
        return (received, synced);
    }

    private static async Task SaveAsync(ISyncLedger ledger, List<LedgerChange> batch)
    {
        var results = await ledger.SaveManyAsync(batch, CancellationToken.None);
        if (results.Any(r => r.Conflicted)) throw new InvalidOperationException("a new entry conflicted");
        batch.Clear();
    }

    private static (long Received, long Synced) NaiveCount(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*), COALESCE(SUM(portal_holds), 0) FROM ledger_entry
            WHERE ngay_tiep_nhan >= '2025-01-01T00:00:00.0000000+07:00' AND ngay_tiep_nhan < '2026-01-01T00:00:00.0000000+07:00'
            """;
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
