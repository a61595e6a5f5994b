using DvcSync.Application.Composition;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Sqlite;
using DvcSync.Infrastructure.Storage;
using DvcSync.IntegrationTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>
/// Every storage port of one store, wired as the standalone host wires them (the store chosen by the configuration):
/// Azure Storage on Azurite with tables and queues of its own, or the embedded store in a temporary file.
/// </summary>
public sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly Func<ISyncLedger, Task<IReadOnlyList<LedgerEntry>>> _allEntries;
    private readonly string? _folder;

    private StoreUnderTest(ServiceProvider services, Func<ISyncLedger, Task<IReadOnlyList<LedgerEntry>>> allEntries, string? folder)
    {
        _services = services;
        _allEntries = allEntries;
        _folder = folder;
    }

    public ISyncLedger Ledger => _services.GetRequiredService<ISyncLedger>();
    public IPipelineState State => _services.GetRequiredService<IPipelineState>();
    public IAgencyArchive Agencies => _services.GetRequiredService<IAgencyArchive>();
    public IAuditStore Audit => _services.GetRequiredService<IAuditStore>();
    public IRepairQueue Queue => _services.GetRequiredService<IRepairQueue>();
    public IRepairQueueReceiver Receiver => _services.GetRequiredService<IRepairQueueReceiver>();
    public IPoisonQueueReceiver Poison => _services.GetRequiredService<IPoisonQueueReceiver>();
    public IStorageProbe Probe => _services.GetRequiredService<IStorageProbe>();
    public StoreDescription Description => _services.GetRequiredService<StoreDescription>();

    /// <summary>Every entry of the ledger, read whole from the store's own rows.</summary>
    public Task<IReadOnlyList<LedgerEntry>> AllEntriesAsync() => _allEntries(Ledger);

    /// <summary>Counts, roll-ups and the unsynced index agree with a full recount of the entries.</summary>
    public async Task AssertCountsEqualRecountAsync() => await LedgerAudit.AssertCountsEqualRecountAsync(await AllEntriesAsync(), Ledger);

    public static Task<StoreUnderTest> AzureAsync(AzuriteFixture azurite, TimeProvider? clock = null) => AzureAsync(azurite, TestStorage.NewPrefix(), clock);

    /// <summary>The tables and queues of <paramref name="prefix"/>, as a host configured with it uses them.</summary>
    public static Task<StoreUnderTest> AzureAsync(AzuriteFixture azurite, string prefix, TimeProvider? clock = null)
    {
        return OpenAsync(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Sync:TablePrefix"] = prefix,
            ["Sync:RepairQueue"] = "repair-" + prefix,
        }, clock, ledger => LedgerAudit.AllEntriesAsync(StorageAccount.For(new StorageAccountOptions { ConnectionString = azurite.ConnectionString }), prefix, ledger), null);
    }

    public static Task<StoreUnderTest> SqliteAsync(TimeProvider? clock = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "dvcsync-contract-" + Guid.NewGuid().ToString("N")[..10]);
        var path = Path.Combine(folder, "store.db");
        return OpenAsync(new() { ["Storage:SqlitePath"] = path }, clock, ledger => AllSqliteEntriesAsync(path, ledger), folder);
    }

    /// <summary>The embedded store in a file a host also uses; the file is left as it is.</summary>
    public static Task<StoreUnderTest> SqliteAtAsync(string path) =>
        OpenAsync(new() { ["Storage:SqlitePath"] = path }, null, ledger => AllSqliteEntriesAsync(path, ledger), null);

    /// <summary>The entries of a store file, read with SQL of their own rather than through the port under test.</summary>
    public static async Task<IReadOnlyList<LedgerEntry>> AllSqliteEntriesAsync(string path, ISyncLedger ledger)
    {
        var keys = new List<(string, string)>();
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            connection.Open();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT ma_don_vi, ma_ho_so FROM ledger_entry";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) keys.Add((reader.GetString(0), reader.GetString(1)));
        }
        var entries = new List<LedgerEntry>();
        foreach (var (agency, maHoSo) in keys) entries.Add((await ledger.GetAsync(agency, maHoSo, CancellationToken.None))!);
        return entries;
    }

    private static async Task<StoreUnderTest> OpenAsync(Dictionary<string, string?> settings, TimeProvider? clock,
        Func<ISyncLedger, Task<IReadOnlyList<LedgerEntry>>> allEntries, string? folder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddLogging();
        services.AddSyncOptions(configuration);
        services.AddStore(configuration, StoreChoice.EmbeddedUnlessAccountSet);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return new StoreUnderTest(provider, allEntries, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_folder is null) return;
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
