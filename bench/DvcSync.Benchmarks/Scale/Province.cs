using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Sqlite;
using DvcSync.Infrastructure.Storage;
using DvcSync.Testing;
using Microsoft.Data.Sqlite;

namespace DvcSync.Benchmarks.Scale;

/// <summary>Where a province keeps its ledger, queue and state: Azurite (Azure Storage) or the embedded store.</summary>
internal enum ScaleStore
{
    Azurite,
    Sqlite,
}

/// <summary>
/// One benchmark's world: the simulators in their own process, and either an Azurite of its own (in memory), with
/// ledgers written straight into its tables under table prefixes of their own, or a folder of embedded stores (one
/// SQLite file per prefix), with ledgers written through the host's own ledger writer.
/// </summary>
internal sealed class Province : IAsyncDisposable
{
    /// <summary>Entries per <see cref="ISyncLedger.SaveManyAsync"/> when loading the embedded store (as <c>indicator --store sqlite</c>).</summary>
    private const int EmbeddedBatch = 2000;

    private readonly AzuriteFixture? _azurite;
    private readonly DirectoryInfo? _folder;

    private Province(AzuriteFixture? azurite, DirectoryInfo? folder, SimulatorProcess simulators, DateOnly historyFrom, int dossiers)
    {
        _azurite = azurite;
        _folder = folder;
        Simulators = simulators;
        HistoryFrom = historyFrom;
        Dossiers = dossiers;
    }

    public ScaleStore Store => _azurite is null ? ScaleStore.Sqlite : ScaleStore.Azurite;

    public SimulatorProcess Simulators { get; }
    public DateOnly HistoryFrom { get; }
    public int Dossiers { get; }

    /// <param name="start">The first day dossiers were received (the simulators' <c>--start</c>, the pipeline's <c>Sync:HistoryFrom</c>).</param>
    public static Task<Province> StartAsync(int dossiers, DateOnly start, params string[] simulatorOptions) =>
        StartAsync(ScaleStore.Azurite, dossiers, start, simulatorOptions);

    public static async Task<Province> StartAsync(ScaleStore store, int dossiers, DateOnly start, params string[] simulatorOptions)
    {
        AzuriteFixture? azurite = null;
        DirectoryInfo? folder = null;
        if (store == ScaleStore.Azurite)
        {
            // Silent: its access log, a line per request, would cost both sides CPU that the figures would charge to the pipeline.
            azurite = AzuriteFixture.Silent(nodeHeapMegabytes: 16384);
            await azurite.InitializeAsync();
        }
        else
        {
            folder = Directory.CreateTempSubdirectory("dvcsync-scale-");
        }
        try
        {
            var simulators = await SimulatorProcess.StartAsync(
                [.. simulatorOptions, "--dossiers", dossiers.ToString(CultureInfo.InvariantCulture), "--start", start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
            ScaleBenchmark.Say($"simulators: {dossiers:N0} dossiers received from {start:yyyy-MM-dd}, up in {simulators.Startup.TotalSeconds:0.0} s; " +
                               $"store: {(folder is null ? "Azurite (in memory)" : "embedded SQLite files in " + folder.FullName)}");
            return new Province(azurite, folder, simulators, start, dossiers);
        }
        catch
        {
            if (azurite is not null) await azurite.DisposeAsync();
            folder?.Delete(recursive: true);
            throw;
        }
    }

    public StorageAccount Storage => StorageAccount.For(new StorageAccountOptions { ConnectionString = Azurite.ConnectionString });

    private AzuriteFixture Azurite => _azurite ?? throw new InvalidOperationException("This province keeps its data in the embedded store, not Azurite");

    /// <summary>The embedded store file of the ledger under <paramref name="prefix"/>: a file of its own, as a province's host would have.</summary>
    public string SqlitePath(string prefix) => Path.Combine(_folder!.FullName, prefix + ".db");

    /// <summary>
    /// The configuration an operator would give a host on this province: on Azurite, tables under <paramref name="prefix"/>;
    /// on the embedded store, no <c>AzureWebJobsStorage</c> and <c>Storage:SqlitePath</c> a file of the prefix's own.
    /// </summary>
    /// <param name="lookupConcurrency">0 leaves <c>Sync:LookupConcurrency</c> unset: look-ups in flight sized from the ceiling and the measured cycle, as shipped.</param>
    public Dictionary<string, string?> Settings(string prefix, int portalCeiling, int lookupConcurrency = 48)
    {
        var settings = Simulators.PipelineSettings();
        if (_azurite is not null) settings["AzureWebJobsStorage"] = _azurite.ConnectionString;
        else settings["Storage:SqlitePath"] = SqlitePath(prefix);
        settings["Sync:TablePrefix"] = prefix;
        settings["Sync:RepairQueue"] = "repair-" + prefix;
        settings["Sync:HistoryFrom"] = HistoryFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (lookupConcurrency > 0) settings["Sync:LookupConcurrency"] = lookupConcurrency.ToString(CultureInfo.InvariantCulture);
        settings["NationalPortal:MaxRequestsPerSecond"] = portalCeiling.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    public Dictionary<int, string> Ports
    {
        get
        {
            var ports = new Dictionary<int, string> { [Simulators.PortalPort] = "portal", [Simulators.ProvincialPort] = "provincial" };
            if (_azurite is not null)
            {
                ports[_azurite.TablePort] = "table";
                ports[_azurite.QueuePort] = "queue";
            }
            return ports;
        }
    }

    /// <summary>
    /// Writes into <paramref name="prefix"/>'s tables (or its embedded store file) the ledger a long-running deployment would have for this province:
    /// every dossier confirmed at its current version, and the provincial received counts copied beside the ledger's.
    /// </summary>
    public async Task<(LedgerLoadSummary Summary, TimeSpan Elapsed)> LoadConfirmedLedgerAsync(string prefix)
    {
        var clock = Stopwatch.StartNew();
        await using var setup = await Pipeline.StartAsync(Settings(prefix, 20));
        var provincial = setup.Get<IProvincialSystem>();
        var today = VnTime.Day(DateTimeOffset.UtcNow);
        var reported = new List<(DateOnly From, DateOnly To, IReadOnlyList<ReportedReceivedCount> Counts)>();
        for (var from = HistoryFrom; from <= today; from = from.AddMonths(3))
        {
            var to = from.AddMonths(3).AddDays(-1) < today ? from.AddMonths(3).AddDays(-1) : today;
            reported.Add((from, to, await provincial.GetReceivedCountsAsync(from, to, CancellationToken.None)));
        }
        var summary = _azurite is not null
            ? await new LedgerBulkLoader(setup.Get<StorageAccount>(), prefix, parallelism: 8)
                .LoadAsync(ConfirmedEntriesAsync(), [.. reported.SelectMany(r => r.Counts)], CancellationToken.None)
            : await LoadEmbeddedAsync(setup, reported);
        ScaleBenchmark.Say($"ledger '{prefix}': {summary.Entries:N0} entries, {summary.DayRows:N0} day rows, {summary.MonthRows:N0} month rows, " +
                          $"{summary.RollupRows:N0} roll-up rows, {summary.Agencies} agencies, loaded in {clock.Elapsed.TotalSeconds:0.0} s " +
                          $"({summary.Entries / clock.Elapsed.TotalSeconds:N0} dossiers/s)" +
                          (_folder is null ? "" : $" in {summary.Transactions:N0} transactions; file {FileMb(SqlitePath(prefix)):0} MB, its write-ahead log {FileMb(SqlitePath(prefix) + "-wal"):0} MB"));
        return (summary, clock.Elapsed);
    }

    private static double FileMb(string path) => File.Exists(path) ? new FileInfo(path).Length / 1048576.0 : 0;

    /// <summary>
    /// The embedded store has no bulk loader: the host's own ledger writer is fast enough to load it, and writes what a
    /// long-running host would have written (entries, day counts and month roll-ups in one transaction per batch), then
    /// the provincial received counts through <see cref="ISyncLedger.RecordReportedCountsAsync"/>, range by range as
    /// they were read.
    /// </summary>
    private async Task<LedgerLoadSummary> LoadEmbeddedAsync(Pipeline setup, List<(DateOnly From, DateOnly To, IReadOnlyList<ReportedReceivedCount> Counts)> reported)
    {
        var ledger = setup.Get<ISyncLedger>();
        long entries = 0, transactions = 0;
        var agencies = new HashSet<string>(StringComparer.Ordinal);
        var batch = new List<LedgerChange>(EmbeddedBatch);
        async Task SaveAsync()
        {
            var results = await ledger.SaveManyAsync(batch, CancellationToken.None);
            if (results.Any(r => r.Conflicted)) throw new InvalidOperationException("a new ledger entry conflicted while loading");
            transactions++;
            batch.Clear();
        }
        await foreach (var entry in ConfirmedEntriesAsync())
        {
            batch.Add(new LedgerChange(null, entry));
            agencies.Add(entry.MaDonVi);
            entries++;
            if (batch.Count == EmbeddedBatch) await SaveAsync();
        }
        if (batch.Count > 0) await SaveAsync();
        foreach (var (from, to, counts) in reported) await ledger.RecordReportedCountsAsync(counts, from, to, CancellationToken.None);

        var (dayRows, monthRows) = await setup.Get<SqliteStore>().ReadAsync(connection =>
        {
            using var command = SqliteStore.Command(connection, null, "SELECT (SELECT COUNT(*) FROM ledger_day), (SELECT COUNT(*) FROM ledger_month)");
            using var reader = command.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(0), reader.GetInt64(1));
        }, CancellationToken.None);
        // The month roll-ups are the only copy: no roll-up table beside them.
        return new LedgerLoadSummary(entries, agencies.Count, dayRows, monthRows, 0, transactions);
    }

    /// <summary>Each dossier as a reconciliation that found the portal's copy current leaves its entry.</summary>
    private async IAsyncEnumerable<LedgerEntry> ConfirmedEntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        await foreach (var header in Simulators.HeadersAsync().WithCancellation(cancellationToken))
        {
            var source = SourceDossier.FromJson(header);
            yield return LedgerEntry.For(source, now).AtVersionOf(source, now).Confirmed(now);
        }
    }

    /// <summary>Puts the reconciliation's watermark where a previous run would have left it (it only moves forward by itself).</summary>
    public async Task SetWatermarkAsync(string prefix, DateTimeOffset readUpTo)
    {
        if (_azurite is null)
        {
            await SetEmbeddedWatermarkAsync(prefix, readUpTo);
            return;
        }
        var state = Storage.Table(prefix + StorageOptions.StateTableName);
        await state.UpsertEntityAsync(new TableEntity("reconcile", "watermark") { ["ReadUpTo"] = readUpTo, ["UpdatedAt"] = DateTimeOffset.UtcNow },
            TableUpdateMode.Replace);
    }

    /// <summary>
    /// On the embedded store, through the host's own <see cref="IPipelineState"/>. It only moves the watermark forward,
    /// so a watermark to put back (cycle B re-reads A's window) is first removed from the store's state documents.
    /// </summary>
    private async Task SetEmbeddedWatermarkAsync(string prefix, DateTimeOffset readUpTo)
    {
        await using (var setup = await Pipeline.StartAsync(Settings(prefix, 20)))
        {
            await setup.Get<SqliteStore>().WriteAsync((connection, transaction) =>
                SqliteStore.Execute(connection, transaction, "DELETE FROM state_document WHERE name = 'reconcile/watermark'"), CancellationToken.None);
            var state = setup.Get<IPipelineState>();
            await state.AdvanceWatermarkAsync(readUpTo, CancellationToken.None);
            var set = await state.GetWatermarkAsync(CancellationToken.None);
            if (set?.ReadUpTo != readUpTo) throw new InvalidOperationException($"The watermark reads {set?.ReadUpTo:O}, not {readUpTo:O}");
        }
        // The child process opens the same file next: no pooled connection of this one stays on it.
        SqliteConnection.ClearAllPools();
    }

    /// <summary>Azurite's own peak resident memory, for the record (NaN on the embedded store: it lives in the measured process).</summary>
    public double AzuritePeakRssMb => _azurite is null ? double.NaN : ProcStatus.PeakRssMb(_azurite.ProcessId);

    public async ValueTask DisposeAsync()
    {
        await Simulators.DisposeAsync();
        if (_azurite is not null) await _azurite.DisposeAsync();
        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            _folder.Delete(recursive: true);
        }
    }
}
