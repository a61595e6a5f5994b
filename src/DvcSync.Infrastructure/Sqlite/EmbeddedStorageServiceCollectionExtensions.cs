using DvcSync.Application.Configuration;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Infrastructure.Sqlite;

public static class EmbeddedStorageServiceCollectionExtensions
{
    /// <summary>
    /// Every storage port on the embedded store at <see cref="EmbeddedStoreOptions.SqlitePath"/>: the ledger, the
    /// pipeline state, the agency archive, the audit store, the repair queue and its poison queue (named as <see cref="StorageOptions"/>
    /// names them), the probe. The file and its tables are created when the store is first used.
    /// </summary>
    public static IServiceCollection AddEmbeddedStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<StorageOptions, StorageOptionsValidator>(configuration);
        services.AddSettings<EmbeddedStoreOptions, EmbeddedStoreOptionsValidator>(configuration);
        services.AddSingleton(sp => new SqliteStore(sp.GetRequiredService<EmbeddedStoreOptions>().FullPath));
        services.AddSingleton(sp => new SqliteDocuments(sp.GetRequiredService<SqliteStore>()));
        services.AddSingleton<ISyncLedger>(sp => new SqliteSyncLedger(sp.GetRequiredService<SqliteStore>()));
        services.AddSingleton<IPipelineState>(sp => new SqlitePipelineState(sp.GetRequiredService<SqliteDocuments>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAgencyArchive>(sp => new SqliteAgencyArchive(sp.GetRequiredService<SqliteStore>()));
        services.AddSingleton<IAuditStore>(sp => new SqliteAuditStore(sp.GetRequiredService<SqliteDocuments>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new SqlitePoisonQueue(sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<StorageOptions>().PoisonQueue));
        services.AddSingleton(sp => new SqliteRepairQueue(sp.GetRequiredService<SqliteStore>(), sp.GetRequiredService<StorageOptions>().RepairQueue,
            sp.GetRequiredService<SqlitePoisonQueue>(), sp.GetRequiredService<SyncOptions>().Retry));
        services.AddSingleton<IRepairQueue>(sp => sp.GetRequiredService<SqliteRepairQueue>());
        services.AddSingleton<IRepairQueueReceiver>(sp => sp.GetRequiredService<SqliteRepairQueue>());
        services.AddSingleton<IPoisonQueueReceiver>(sp => sp.GetRequiredService<SqlitePoisonQueue>());
        services.AddSingleton<IStorageProbe>(sp => new SqliteStorageProbe(sp.GetRequiredService<SqliteStore>()));
        services.AddSingleton(sp => new StoreDescription($"embedded SQLite store at {sp.GetRequiredService<EmbeddedStoreOptions>().FullPath}"));
        return services;
    }
}

internal sealed class SqliteStorageProbe(SqliteStore store) : IStorageProbe
{
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.ReadAsync(connection => SqliteStore.Execute(connection, null, "SELECT 1 FROM state_document LIMIT 1"), cancellationToken);
            return null;
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            return "storage unreachable: " + e.GetType().Name + " " + e.SqliteErrorCode;
        }
    }
}
