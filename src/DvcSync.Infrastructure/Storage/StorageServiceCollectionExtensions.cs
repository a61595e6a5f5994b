using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Queues;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.Infrastructure.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ConnectionKey = "AzureWebJobsStorage";

    /// <summary>
    /// The ledger, the pipeline state and the repair queue on the account named by <c>AzureWebJobsStorage</c>: a
    /// connection string (Azurite, tests), or — as the Functions host has it — <c>AzureWebJobsStorage__tableServiceUri</c>
    /// and <c>__queueServiceUri</c> reached with a managed identity.
    /// </summary>
    public static IServiceCollection AddSyncStorage(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new StorageOptions
        {
            RepairQueue = configuration["Sync:RepairQueue"] is { Length: > 0 } queue ? queue : "dossier-repair",
            TablePrefix = configuration["Sync:TablePrefix"] ?? "",
        };
        ValidateQueueName(options.RepairQueue);
        ValidateTablePrefix(options.TablePrefix);

        var account = StorageAccount.FromConfiguration(configuration);
        services.AddSingleton(options);
        services.AddSingleton(account);
        services.AddKeyedSingleton(StorageOptions.LedgerTableName, (sp, _) => account.Table(options.TablePrefix + StorageOptions.LedgerTableName));
        services.AddKeyedSingleton(StorageOptions.StateTableName, (sp, _) => account.Table(options.TablePrefix + StorageOptions.StateTableName));
        services.AddSingleton(sp => new PartitionRegistry(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName)));
        services.AddKeyedSingleton(StorageOptions.RollupTableName, (sp, _) => account.Table(options.TablePrefix + StorageOptions.RollupTableName));
        services.AddSingleton<ISyncLedger>(sp => new TableSyncLedger(sp.GetRequiredKeyedService<TableClient>(StorageOptions.LedgerTableName),
            sp.GetRequiredService<PartitionRegistry>(), sp.GetRequiredKeyedService<TableClient>(StorageOptions.RollupTableName)));
        services.AddSingleton<IPipelineState>(sp => new TablePipelineState(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAuditStore>(sp => new TableAuditStore(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRepairQueue>(sp => new StorageQueueRepairQueue(account.Queue(options.RepairQueue), account.Queue(options.PoisonQueue),
            sp.GetRequiredService<DvcSync.Application.Configuration.SyncOptions>().Retry));
        services.AddSingleton(sp => new StorageProvisioner(sp.GetRequiredService<StorageAccount>(), options));
        services.AddHostedService(sp => sp.GetRequiredService<StorageProvisioner>());
        services.AddSingleton<IStorageProbe>(sp => new StorageProbe(sp.GetRequiredKeyedService<TableClient>(StorageOptions.StateTableName)));
        return services;
    }

    private static void ValidateQueueName(string name)
    {
        if (name.Length is < 3 or > 56 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || name.Contains("--") || name[0] == '-' || name[^1] == '-')
            throw new InvalidOperationException($"Sync:RepairQueue '{name}' is not a valid queue name (3-56 lower-case letters, digits and single hyphens; '-poison' is appended for the poison queue)");
    }

    private static void ValidateTablePrefix(string prefix)
    {
        if (prefix.Length > 0 && (!char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit) || prefix.Length > 40))
            throw new InvalidOperationException($"Sync:TablePrefix '{prefix}' must be letters and digits, starting with a letter");
    }
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

    public static StorageAccount FromConfiguration(IConfiguration configuration)
    {
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var section = configuration.GetSection(StorageServiceCollectionExtensions.ConnectionKey);
        var tableUri = section["tableServiceUri"];
        var queueUri = section["queueServiceUri"];
        if (!string.IsNullOrEmpty(tableUri) || !string.IsNullOrEmpty(queueUri))
        {
            var tables = ParseUri(tableUri, "AzureWebJobsStorage__tableServiceUri");
            var queues = ParseUri(queueUri, "AzureWebJobsStorage__queueServiceUri");
            TokenCredential credential = section["clientId"] is { Length: > 0 } clientId
                ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
                : new DefaultAzureCredential();
            var tableService = new TableServiceClient(tables, credential);
            var queueService = new QueueServiceClient(queues, credential, queueOptions);
            return new StorageAccount(tableService.GetTableClient, queueService.GetQueueClient);
        }

        var connectionString = section.Value is { Length: > 0 } value ? value : "UseDevelopmentStorage=true";
        try
        {
            var tableService = new TableServiceClient(connectionString);
            var queueService = new QueueServiceClient(connectionString, queueOptions);
            return new StorageAccount(tableService.GetTableClient, queueService.GetQueueClient);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException("AzureWebJobsStorage is not a valid storage connection string", e);
        }
    }

    private static Uri ParseUri(string? value, string key) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new InvalidOperationException($"{key} must be set to an absolute https URL when managed-identity storage is used");
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
