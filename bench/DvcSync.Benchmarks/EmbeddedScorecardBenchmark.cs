using System.Diagnostics;
using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Sqlite;
using Microsoft.Data.Sqlite;
using static DvcSync.Benchmarks.IndicatorBenchmark;

namespace DvcSync.Benchmarks;

/// <summary>
/// <see cref="ScorecardBenchmark"/> on the embedded store: the same province, year and entries (the same random
/// sequence), written through the store's own ledger writer, then the year-long province-wide scorecard and sync rate
/// through the real queries, beside a naive scan that reads every entry from the file and computes the same scorecard.
/// Usage: dotnet run -c Release --project bench/DvcSync.Benchmarks -- scorecard --store sqlite [--dossiers 500000] [--agencies 130] [--runs 40]
/// </summary>
public static class EmbeddedScorecardBenchmark
{
    private const int Batch = 2000;

    public static async Task<int> RunAsync(string[] args)
    {
        var dossiers = Arg(args, "--dossiers", 500_000);
        var agencyCount = Arg(args, "--agencies", 130);
        var runs = Arg(args, "--runs", 40);
        var naiveRuns = Arg(args, "--naive-runs", 1);
        Console.WriteLine($"Scorecard benchmark on the embedded store: {dossiers:N0} dossiers, {agencyCount} agencies, year 2025; {Environment.ProcessorCount} cores");

        var folder = Path.Combine(Path.GetTempPath(), "dvcsync-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var store = new SqliteStore(Path.Combine(folder, "dvcsync.db"));
            var ledger = new SqliteSyncLedger(store);
            var agencies = Agencies(agencyCount);

            var load = Stopwatch.StartNew();
            await LoadAsync(ledger, agencies, dossiers);
            Console.WriteLine($"Loaded in {load.Elapsed.TotalSeconds:0.0} s ({dossiers / load.Elapsed.TotalSeconds:N0} dossiers/s through the ledger writer, " +
                              $"{Batch} a transaction); file {new FileInfo(store.Path).Length / 1048576.0:0} MB");

            var directory = new AgencyDirectory(new AgenciesOnly(agencies), new SqliteAgencyArchive(store), TimeProvider.System);
            var syncRateQuery = new SyncRateQuery(directory, ledger, new SyncRateScoringOptions());
            var year = new PeriodQuery(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));

            return await ScorecardBenchmark.MeasureAndCompareAsync(
                clock => new ScorecardQuery(directory, ledger, new ScorecardScoringOptions(), new SyncRateScoringOptions(), clock), syncRateQuery,
                year, runs, naiveRuns, () => ReadEntriesAsync(store), agencies);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The entries of <see cref="ScorecardBenchmark"/>'s province, drawn in the same order from the same seed.</summary>
    private static async Task LoadAsync(ISyncLedger ledger, List<Agency> agencies, int dossiers)
    {
        var random = new Random(2025);
        var codes = agencies.Skip(1).Select(a => a.MaDonVi).ToArray();
        var batch = new List<LedgerChange>(Batch);
        for (var n = 0; n < dossiers; n++)
        {
            var agency = codes[random.NextDouble() < 0.5 ? random.Next(0, Math.Min(20, codes.Length)) : random.Next(0, codes.Length)];
            var day = new DateOnly(2025, 1, 1).AddDays(random.Next(0, 365));
            var source = ScorecardBenchmark.Facts(random, day);
            var held = random.NextDouble() < 0.985;
            var portal = !held ? null : random.NextDouble() < 0.05 ? source with { Status = TrangThaiHoSo.DangXuLy, HasResultLink = false, OnTime = OnTimeJudgement.Open(day.AddDays(5)) } : source;
            batch.Add(new LedgerChange(null, new LedgerEntry
            {
                MaHoSo = $"{agency}-{day:yyMMdd}-{n:0000000}", MaDonVi = agency, NgayTiepNhan = VnTime.StartOfDay(day).AddHours(9),
                TrangThaiHoSo = (int?)source.Status, PhienBan = 1, State = held ? SyncState.Synced : SyncState.Pending, PortalHolds = held,
                SourceFacts = source, PortalFacts = portal, UpdatedAt = DateTimeOffset.UtcNow,
            }));
            if (batch.Count == Batch) await SaveAsync(ledger, batch);
        }
        if (batch.Count > 0) await SaveAsync(ledger, batch);
    }

    private static async Task SaveAsync(ISyncLedger ledger, List<LedgerChange> batch)
    {
        var results = await ledger.SaveManyAsync(batch, CancellationToken.None);
        if (results.Any(r => r.Conflicted)) throw new InvalidOperationException("a new entry conflicted");
        batch.Clear();
    }

    /// <summary>What one would read without the counters: every entry in the file.</summary>
    private static Task<List<LedgerEntry>> ReadEntriesAsync(SqliteStore store) =>
        store.ReadAsync(connection =>
        {
            using var command = SqliteStore.Command(connection, null, $"SELECT {SqliteSyncLedger.EntryColumns} FROM ledger_entry");
            return SqliteSyncLedger.ReadEntries(command);
        }, CancellationToken.None);
}
