using DvcSync.Core.Ledger;
using DvcSync.Infrastructure.Sqlite;
using DvcSync.IntegrationTests.Storage.Contract;
using Microsoft.Data.Sqlite;

namespace DvcSync.IntegrationTests.Storage;

/// <summary>
/// A store file made by an earlier version has the ledger tables without the columns added since (CREATE TABLE IF NOT
/// EXISTS leaves an existing table alone): opening it adds them, and entries keep the new fields.
/// </summary>
public sealed class SqliteStoreUpgradeTests
{
    [Fact]
    public async Task A_store_file_without_the_later_ledger_columns_gets_them_at_open_and_keeps_their_values()
    {
        var folder = Directory.CreateTempSubdirectory("dvcsync-upgrade-");
        try
        {
            var path = Path.Combine(folder.FullName, "old.db");
            var oldSchema = string.Join('\n', SqliteSchema.Create.Split('\n')
                .Where(line => !SqliteSchema.AddedColumns.Any(added => line.TrimStart().StartsWith(added.Column + " ", StringComparison.Ordinal))));
            await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                await connection.OpenAsync();
                await using var create = connection.CreateCommand();
                create.CommandText = oldSchema;
                await create.ExecuteNonQueryAsync();
            }
            Assert.All(SqliteSchema.AddedColumns, added => Assert.DoesNotContain(added.Column, Columns(path, added.Table)));

            var at = new DateTimeOffset(2025, 1, 15, 9, 0, 0, TimeSpan.FromHours(7));
            var entry = new LedgerEntry
            {
                MaHoSo = "000.00.19.H19-250115-00001", MaDonVi = "000.00.19.H19", NgayTiepNhan = at, PhienBan = 2, State = SyncState.Synced,
                PortalHolds = true, ConfirmedAt = at, ChangedAt = at.AddMinutes(-3), StepsSentUpTo = at.AddMinutes(-3), UpdatedAt = at,
            };
            await using (var store = await StoreUnderTest.SqliteAtAsync(path))
            {
                var saved = await store.Ledger.SaveAsync(null, entry, CancellationToken.None);
                Assert.Equal(saved, await store.Ledger.GetAsync(entry.MaDonVi, entry.MaHoSo, CancellationToken.None));
            }
            Assert.All(SqliteSchema.AddedColumns, added => Assert.Contains(added.Column, Columns(path, added.Table)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static List<string> Columns(string path, string table)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM pragma_table_info($table)";
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }
}
