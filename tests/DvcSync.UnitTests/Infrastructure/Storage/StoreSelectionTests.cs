using DvcSync.Application.Configuration;
using DvcSync.Core.Ports;
using DvcSync.Functions;
using DvcSync.Infrastructure.Sqlite;
using DvcSync.Infrastructure.Storage;
using DvcSync.Standalone;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.UnitTests.Infrastructure.Storage;

/// <summary>The store is chosen by configuration, never by accident, and named without its secrets.</summary>
public sealed class StoreSelectionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dvcsync-selection-" + Guid.NewGuid().ToString("N")[..10]);

    private static Dictionary<string, string> WithoutAccount()
    {
        var settings = new Dictionary<string, string>(RealHostTests.Valid);
        settings.Remove("AzureWebJobsStorage");
        return settings;
    }

    [Fact]
    public void Without_a_storage_account_the_standalone_host_keeps_everything_in_the_embedded_store_at_its_path()
    {
        var path = Path.Combine(_folder, "nested", "store.db");
        var settings = WithoutAccount();
        settings["Storage:SqlitePath"] = path;

        using var app = StandaloneApp.Build(RealHostTests.Args(settings));

        Assert.IsType<SqliteSyncLedger>(app.Services.GetRequiredService<ISyncLedger>());
        Assert.IsType<SqlitePipelineState>(app.Services.GetRequiredService<IPipelineState>());
        Assert.IsType<SqliteAuditStore>(app.Services.GetRequiredService<IAuditStore>());
        Assert.IsType<SqliteRepairQueue>(app.Services.GetRequiredService<IRepairQueueReceiver>());
        Assert.IsType<SqlitePoisonQueue>(app.Services.GetRequiredService<IPoisonQueueReceiver>());
        Assert.Null(app.Services.GetService<StorageAccount>());
        Assert.True(File.Exists(path), "the store's file and its folder are created");
        Assert.Equal($"embedded SQLite store at {path}", app.Services.GetRequiredService<StoreDescription>().Text);
    }

    [Fact]
    public void The_default_embedded_store_is_in_a_data_folder_beside_the_program()
    {
        using var app = StandaloneApp.Build(RealHostTests.Args(WithoutAccount()));
        Assert.Equal($"embedded SQLite store at {Path.Combine(AppContext.BaseDirectory, "data", "dvcsync.db")}",
            app.Services.GetRequiredService<StoreDescription>().Text);
    }

    [Fact]
    public void With_a_storage_account_the_standalone_host_uses_it_and_names_it_without_its_key()
    {
        var settings = new Dictionary<string, string>(RealHostTests.Valid)
        {
            ["AzureWebJobsStorage"] = "DefaultEndpointsProtocol=http;AccountName=provinceacct;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;TableEndpoint=http://10.0.0.5:10002/provinceacct;QueueEndpoint=http://10.0.0.5:10001/provinceacct",
            ["Storage:SqlitePath"] = Path.Combine(_folder, "unused.db"),
        };

        using var app = StandaloneApp.Build(RealHostTests.Args(settings));

        Assert.IsType<TableSyncLedger>(app.Services.GetRequiredService<ISyncLedger>());
        Assert.IsType<StorageRepairQueueReceiver>(app.Services.GetRequiredService<IRepairQueueReceiver>());
        var description = app.Services.GetRequiredService<StoreDescription>().Text;
        Assert.Equal("Azure Storage account provinceacct at http://10.0.0.5:10002 (connection string)", description);
        Assert.False(Directory.Exists(_folder), "no embedded store is created beside a storage account");
    }

    [Fact]
    public async Task The_Functions_app_requires_a_storage_account_naming_the_key()
    {
        var error = new StringWriter();
        Assert.Null(await StartupCheck.BuildAsync(() => FunctionsApp.Build(RealHostTests.Args(WithoutAccount())), error));
        Assert.Contains("AzureWebJobsStorage must be set", error.ToString());
    }

    [Fact]
    public async Task An_embedded_store_path_naming_a_folder_stops_the_start_naming_the_key()
    {
        Directory.CreateDirectory(_folder);
        var settings = WithoutAccount();
        settings["Storage:SqlitePath"] = _folder;

        var error = new StringWriter();
        Assert.Null(await StartupCheck.BuildAsync(() => StandaloneApp.Build(RealHostTests.Args(settings)), error));
        Assert.Contains("Storage:SqlitePath", error.ToString());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
