using Azure.Data.Tables;
using DvcSync.Application.Configuration;
using DvcSync.Infrastructure.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DvcSync.Infrastructure.Storage;

/// <summary>Which store a host keeps its ledger, state and queues in.</summary>
public enum StoreChoice
{
    /// <summary>Azure Storage, required (<c>AzureWebJobsStorage</c>): the Functions app.</summary>
    StorageAccount,

    /// <summary>Azure Storage when <c>AzureWebJobsStorage</c> is set, the embedded store otherwise: the standalone host.</summary>
    EmbeddedUnlessAccountSet,
}

/// <summary>The store in use and where, without secrets: the first line a host logs.</summary>
public sealed record StoreDescription(string Text)
{
    public void Log(IServiceProvider services) =>
        services.GetRequiredService<ILoggerFactory>().CreateLogger("DvcSync.Storage").LogInformation("Store: {Store}", Text);

    /// <summary>The account named by its endpoints: a connection string's key never leaves it.</summary>
    internal static StoreDescription For(StorageAccountOptions options)
    {
        if (options.UsesIdentity)
            return new StoreDescription($"Azure Storage account at {options.TableEndpoint.GetLeftPart(UriPartial.Authority)} (managed identity)");
        var tables = new TableServiceClient(options.ConnectionString);
        return new StoreDescription($"Azure Storage account {tables.AccountName} at {tables.Uri.GetLeftPart(UriPartial.Authority)} (connection string)");
    }
}

public static class StoreSelectionServiceCollectionExtensions
{
    /// <summary>The storage ports on the store <paramref name="choice"/> and the configuration select.</summary>
    public static IServiceCollection AddStore(this IServiceCollection services, IConfiguration configuration, StoreChoice choice)
    {
        if (choice == StoreChoice.StorageAccount) return services.AddSyncStorage(configuration);

        // Bound either way, so a standalone host's settings are checked and documented whatever store it picks.
        services.AddSettings<EmbeddedStoreOptions, EmbeddedStoreOptionsValidator>(configuration);
        return HasStorageAccount(configuration) ? services.AddSyncStorage(configuration) : services.AddEmbeddedStorage(configuration);
    }

    /// <summary>Whether <c>AzureWebJobsStorage</c> is set, as a connection string or as an identity-based connection's keys.</summary>
    public static bool HasStorageAccount(IConfiguration configuration)
    {
        var section = configuration.GetSection(StorageAccountOptions.ConnectionKey);
        return !string.IsNullOrWhiteSpace(section.Value) || section.GetChildren().Any(child => !string.IsNullOrWhiteSpace(child.Value));
    }
}
