using DvcSync.Application.Composition;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>The project's storage wiring on Azurite, with tables and a queue of its own so tests never share state.</summary>
public sealed class TestStorage : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestStorage(ServiceProvider services, string prefix, string queue)
    {
        _services = services;
        TablePrefix = prefix;
        QueueName = queue;
    }

    public string TablePrefix { get; }
    public string QueueName { get; }
    public ISyncLedger Ledger => _services.GetRequiredService<ISyncLedger>();
    public IPipelineState State => _services.GetRequiredService<IPipelineState>();
    public IRepairQueue Queue => _services.GetRequiredService<IRepairQueue>();
    public StorageAccount Account => _services.GetRequiredService<StorageAccount>();

    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    public static Task<TestStorage> CreateAsync(AzuriteFixture azurite, TimeProvider? clock = null, IDictionary<string, string?>? settings = null) =>
        OpenAsync(azurite, NewPrefix(), clock, settings);

    /// <summary>The tables and queue of a given prefix, as a host configured with it (and <paramref name="settings"/>) uses them.</summary>
    public static async Task<TestStorage> OpenAsync(AzuriteFixture azurite, string prefix, TimeProvider? clock = null, IDictionary<string, string?>? settings = null)
    {
        var queue = "repair-" + prefix;
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Sync:TablePrefix"] = prefix,
            ["Sync:RepairQueue"] = queue,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton(clock ?? TimeProvider.System);
        services.AddSyncOptions(configuration);
        services.AddSyncStorage(configuration);
        var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>()) await hosted.StartAsync(CancellationToken.None);
        return new TestStorage(provider, prefix, queue);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
