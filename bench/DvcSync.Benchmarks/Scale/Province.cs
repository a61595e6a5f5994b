using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using DvcSync.Testing;
using Microsoft.Extensions.Configuration;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// One benchmark's world: an Azurite of its own (in memory), the simulators in their own process, and ledgers written
/// straight into storage under table prefixes of their own.
/// </summary>
internal sealed class Province : IAsyncDisposable
{
    private readonly AzuriteFixture _azurite;

    private Province(AzuriteFixture azurite, SimulatorProcess simulators, DateOnly historyFrom, int dossiers)
    {
        _azurite = azurite;
        Simulators = simulators;
        HistoryFrom = historyFrom;
        Dossiers = dossiers;
    }

    public SimulatorProcess Simulators { get; }
    public DateOnly HistoryFrom { get; }
    public int Dossiers { get; }

    /// <param name="start">The first day dossiers were received (the simulators' <c>--start</c>, the pipeline's <c>Sync:HistoryFrom</c>).</param>
    public static async Task<Province> StartAsync(int dossiers, DateOnly start, params string[] simulatorOptions)
    {
        // Silent: its access log, a line per request, would cost both sides CPU that the figures would charge to the pipeline.
        var azurite = AzuriteFixture.Silent(nodeHeapMegabytes: 16384);
        await azurite.InitializeAsync();
        try
        {
            var simulators = await SimulatorProcess.StartAsync(
                [.. simulatorOptions, "--dossiers", dossiers.ToString(CultureInfo.InvariantCulture), "--start", start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]);
            ScaleBenchmark.Say($"simulators: {dossiers:N0} dossiers received from {start:yyyy-MM-dd}, up in {simulators.Startup.TotalSeconds:0.0} s");
            return new Province(azurite, simulators, start, dossiers);
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    public StorageAccount Storage => StorageAccount.For(new StorageAccountOptions { ConnectionString = _azurite.ConnectionString });

    /// <summary>The configuration an operator would give a host on this province, tables under <paramref name="prefix"/>.</summary>
    /// <param name="lookupConcurrency">0 leaves <c>Sync:LookupConcurrency</c> unset: look-ups in flight sized from the ceiling and the measured cycle, as shipped.</param>
    public Dictionary<string, string?> Settings(string prefix, int portalCeiling, int lookupConcurrency = 48)
    {
        var settings = Simulators.PipelineSettings();
        settings["AzureWebJobsStorage"] = _azurite.ConnectionString;
        settings["Sync:TablePrefix"] = prefix;
        settings["Sync:RepairQueue"] = "repair-" + prefix;
        settings["Sync:HistoryFrom"] = HistoryFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (lookupConcurrency > 0) settings["Sync:LookupConcurrency"] = lookupConcurrency.ToString(CultureInfo.InvariantCulture);
        settings["NationalPortal:MaxRequestsPerSecond"] = portalCeiling.ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    public Dictionary<int, string> Ports => new()
    {
        [Simulators.PortalPort] = "portal",
        [Simulators.ProvincialPort] = "provincial",
        [_azurite.TablePort] = "table",
        [_azurite.QueuePort] = "queue",
    };

    /// <summary>
    /// Writes into <paramref name="prefix"/>'s tables the ledger a long-running deployment would have for this province:
    /// every dossier confirmed at its current version, and the provincial received counts copied beside the ledger's.
    /// </summary>
    public async Task<(LedgerLoadSummary Summary, TimeSpan Elapsed)> LoadConfirmedLedgerAsync(string prefix)
    {
        var clock = Stopwatch.StartNew();
        await using var setup = await Pipeline.StartAsync(Settings(prefix, 20));
        var provincial = setup.Get<IProvincialSystem>();
        var today = VnTime.Day(DateTimeOffset.UtcNow);
        var reported = new List<ReportedReceivedCount>();
        for (var from = HistoryFrom; from <= today; from = from.AddMonths(3))
        {
            var to = from.AddMonths(3).AddDays(-1) < today ? from.AddMonths(3).AddDays(-1) : today;
            reported.AddRange(await provincial.GetReceivedCountsAsync(from, to, CancellationToken.None));
        }
        var loader = new LedgerBulkLoader(setup.Get<StorageAccount>(), prefix, parallelism: 8);
        var summary = await loader.LoadAsync(ConfirmedEntriesAsync(), reported, CancellationToken.None);
        ScaleBenchmark.Say($"ledger '{prefix}': {summary.Entries:N0} entries, {summary.DayRows:N0} day rows, {summary.MonthRows:N0} month rows, " +
                          $"{summary.RollupRows:N0} roll-up rows, {summary.Agencies} agencies, loaded in {clock.Elapsed.TotalSeconds:0.0} s " +
                          $"({summary.Entries / clock.Elapsed.TotalSeconds:N0} dossiers/s)");
        return (summary, clock.Elapsed);
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
        var state = Storage.Table(prefix + StorageOptions.StateTableName);
        await state.UpsertEntityAsync(new TableEntity("reconcile", "watermark") { ["ReadUpTo"] = readUpTo, ["UpdatedAt"] = DateTimeOffset.UtcNow },
            TableUpdateMode.Replace);
    }

    /// <summary>Azurite's own peak resident memory, for the record.</summary>
    public double AzuritePeakRssMb => ProcStatus.PeakRssMb(_azurite.ProcessId);

    public async ValueTask DisposeAsync()
    {
        await Simulators.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}
