using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Storage.Contract;
using DvcSync.Simulators;
using Microsoft.Data.Sqlite;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary><c>DvcSync.Standalone backup --to</c> copies the embedded store while the host writes to it: a database of one moment, whole.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EmbeddedStoreBackupTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "dvcsync-backup-" + Guid.NewGuid().ToString("N")[..10]);

    [Fact]
    public async Task A_backup_taken_while_the_host_writes_opens_and_its_counts_equal_a_recount_of_its_entries()
    {
        await using var simulators = await SimulatorHost.StartAsync(ReliabilityScenario.Simulators(seed: 306));
        var store = Path.Combine(_folder, "live", "dvcsync.db");
        var environment = StandaloneProcess.Environment(azurite, simulators, TestStorage.NewPrefix(), ReliabilityScenario.Ceiling);
        environment.Remove("AzureWebJobsStorage");
        environment["Storage__SqlitePath"] = store;
        environment["Sync__ReconcileOnStartup"] = "true";

        await using var host = StandaloneProcess.Start(environment);
        await host.WaitUntilAsync(() => Task.FromResult(File.Exists(store) && simulators.Portal.Counters.Calls("TraCuuHoSo") >= 100), "the host to be writing");

        var copy = Path.Combine(_folder, "backups", "copy.db");
        await using (var backup = StandaloneProcess.StartCommand(environment, "backup", "--to", copy))
        {
            await backup.WaitForExitAsync(TimeSpan.FromMinutes(1));
            Assert.True(backup.ExitCode == 0, string.Join("\n", backup.Output()));
        }
        Assert.False(host.HasExited, "the host kept running through the backup");

        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string)check.ExecuteScalar()!);
        }
        await using var restored = await StoreUnderTest.SqliteAtAsync(copy);
        Assert.NotEmpty(await restored.AllEntriesAsync());
        await restored.AssertCountsEqualRecountAsync();

        // A second backup refuses to overwrite the first.
        await using var again = StandaloneProcess.StartCommand(environment, "backup", "--to", copy);
        await again.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, again.ExitCode);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
