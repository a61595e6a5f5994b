using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using DvcSync.Application.Configuration;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.Infrastructure.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The ledger, the pipeline state and the repair queue on the account of <see cref="StorageAccountOptions"/>, under
    /// the names of <see cref="StorageOptions"/>.
    /// </summary>
    public static IServiceCollection AddSyncStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<StorageOptions, StorageOptionsValidator>(configuration);
        services.AddSettings<StorageAccountOptions, StorageAccountOptionsValidator>(configuration);
        services.AddSingleton(sp => StorageAccount.For(sp.GetRequiredService<StorageAccountOptions>()));
        services.AddSingleton(sp => StoreDescription.For(sp.GetRequiredService<StorageAccountOptions>()));
        services.AddKeyedSingleton(StorageOptions.LedgerTableName, (sp, _) => Table(sp, StorageOptions.LedgerTableName));
        services.AddKeyedSingleton(StorageOptions.StateTableName, (sp, _) => Table(sp, StorageOptions.StateTableName));
        services.AddSingleton(sp => new PartitionRegistry(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName)));
        services.AddKeyedSingleton(StorageOptions.RollupTableName, (sp, _) => Table(sp, StorageOptions.RollupTableName));
        services.AddSingleton<ISyncLedger>(sp => new TableSyncLedger(sp.GetRequiredKeyedService<TableClient>(StorageOptions.LedgerTableName),
            sp.GetRequiredService<PartitionRegistry>(), sp.GetRequiredKeyedService<TableClient>(StorageOptions.RollupTableName)));
        services.AddSingleton<IPipelineState>(sp => new TablePipelineState(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAgencyArchive>(sp => new TableAgencyArchive(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName), sp.GetRequiredService<PartitionRegistry>()));
        services.AddSingleton<IAuditStore>(sp => new TableAuditStore(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRepairQueue>(sp =>
        {
            var (account, options) = (sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<StorageOptions>());
            return new StorageQueueRepairQueue(account.Queue(options.RepairQueue), account.Queue(options.PoisonQueue), sp.GetRequiredService<SyncOptions>().Retry);
        });
        services.AddSingleton<IRepairQueueReceiver>(sp =>
        {
            var (account, options) = (sp.GetRequiredService<StorageAccount>(), sp.GetRequiredService<StorageOptions>());
            return new StorageRepairQueueReceiver(account.Queue(options.RepairQueue), account.Queue(options.PoisonQueue));
        });
        services.AddSingleton<IPoisonQueueReceiver>(sp =>
            new StoragePoisonQueueReceiver(sp.GetRequiredService<StorageAccount>().Queue(sp.GetRequiredService<StorageOptions>().PoisonQueue)));
        services.AddSingleton<StorageProvisioner>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageProvisioner>());
        services.AddSingleton<IStorageProbe>(sp => new StorageProbe(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName)));
        return services;
    }

    private static TableClient Table(IServiceProvider sp, string name) =>
        sp.GetRequiredService<StorageAccount>().Table(sp.GetRequiredService<StorageOptions>().TablePrefix + name);
}

/// <summary>Where the storage account is and how to reach it.</summary>
public sealed class StorageAccount
{
    private readonly Func<string, TableClient> _table;
    private readonly Func<string, QueueClient> _queue;

    private StorageAccount(Func<string, TableClient> table, Func<string, QueueClient> queue)
    {
        _table = table;
        _queue = queue;
    }

    public TableClient Table(string name) => _table(name);
    public QueueClient Queue(string name) => _queue(name);

    /// <param name="options">Valid (checked at start): the endpoints and the connection string are not checked again.</param>
    public static StorageAccount For(StorageAccountOptions options)
    {
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        if (options.UsesIdentity)
        {
            TokenCredential credential = options.ClientId is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new DefaultAzureCredential();
            var tableService = new TableServiceClient(options.TableEndpoint, credential);
            var queueService = new QueueServiceClient(options.QueueEndpoint, credential, queueOptions);
            return new StorageAccount(tableService.GetTableClient, queueService.GetQueueClient);
        }

        var tables = new TableServiceClient(options.ConnectionString);
        var queues = new QueueServiceClient(options.ConnectionString, queueOptions);
        return new StorageAccount(tables.GetTableClient, queues.GetQueueClient);
    }
}

/// <summary>
/// Creates the tables and queues before the first handler needs them: at start, or called by a command that does not
/// start the host.
/// </summary>
public sealed class StorageProvisioner(StorageAccount account, StorageOptions options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await account.Table(options.TablePrefix + StorageOptions.LedgerTableName).CreateIfNotExistsAsync(cancellationToken);
        await account.Table(options.TablePrefix + StorageOptions.StateTableName).CreateIfNotExistsAsync(cancellationToken);
        await account.Table(options.TablePrefix + StorageOptions.RollupTableName).CreateIfNotExistsAsync(cancellationToken);
        await account.Queue(options.RepairQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await account.Queue(options.PoisonQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class StorageProbe(TableClient stateTable) : IStorageProbe
{
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await stateTable.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("probe", "probe", cancellationToken: timeout.Token);
            return null;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException or HttpRequestException)
        {
            return "storage unreachable: " + e.GetType().Name;
        }
    }
}
