using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Sqlite;
using DvcSync.IntegrationTests.Infrastructure;
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

    /// <summary>
    /// Month counters written by earlier versions name every reception and due day (and there is no
    /// <c>score_month_days</c> yet); saves since add month-keyed names and due days beside them. Periods of whole months
    /// judged after them or inside them, and periods that cut a month, still give the scorecard of a recount.
    /// </summary>
    [Fact]
    public async Task Month_counters_written_with_days_and_changed_since_give_the_figures_of_a_recount()
    {
        var folder = Directory.CreateTempSubdirectory("dvcsync-upgrade-");
        try
        {
            var path = Path.Combine(folder.FullName, "old.db");
            await using var store = await StoreUnderTest.SqliteAtAsync(path);
            var created = await store.Ledger.SaveManyAsync(
                Enumerable.Range(1, 60).Select(n => new LedgerChange(null, ScoreCounterContract.Entry("A", n))).ToList(), CancellationToken.None);
            await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
            {
                await connection.OpenAsync();
                await using var rewrite = connection.CreateCommand();
                rewrite.CommandText = """
                    DELETE FROM score_month;
                    DELETE FROM score_month_days;
                    INSERT INTO score_month (ma_don_vi, month, axis, side, counter, count)
                    SELECT ma_don_vi, day / 100, axis, side, counter, SUM(count) FROM score_day GROUP BY ma_don_vi, day / 100, axis, side, counter;
                    """;
                await rewrite.ExecuteNonQueryAsync();
            }

            // Changes after the upgrade: confirmed, a dossier closed, one moved to a later reception day.
            var changes = created.Take(30).Select((r, i) => new LedgerChange(r.Saved, (i % 3) switch
            {
                0 => r.Saved!.Confirmed(new DateTimeOffset(2025, 9, 1, 9, 0, 0, TimeSpan.FromHours(7))),
                1 => r.Saved! with { PhienBan = 2, SourceFacts = r.Saved.SourceFacts! with { OnTime = OnTimeJudgement.Ended(r.Saved.SourceFacts.ReceivedDay!.Value.AddDays(9), true) } },
                _ => r.Saved! with { PhienBan = 2, NgayTiepNhan = r.Saved.NgayTiepNhan!.Value.AddDays(17), SourceFacts = r.Saved.SourceFacts! with
                {
                    ReceivedDay = r.Saved.SourceFacts.ReceivedDay!.Value.AddDays(17),
                    OnTime = r.Saved.SourceFacts.OnTime.State == OnTimeState.Open ? OnTimeJudgement.Open(r.Saved.SourceFacts.ReceivedDay.Value.AddDays(30)) : r.Saved.SourceFacts.OnTime,
                } },
            })).ToList();
            Assert.All(await store.Ledger.SaveManyAsync(changes, CancellationToken.None), r => Assert.False(r.Conflicted));

            var entries = await store.AllEntriesAsync();
            var recount = ScoreContributions.Sum(entries.Select(e => e.Contributions())).Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)).ToList();
            (DateOnly From, DateOnly To)[] ranges = [(new(2025, 1, 1), new(2025, 12, 31)), (new(2025, 4, 1), new(2025, 6, 30)), (new(2025, 3, 15), new(2025, 9, 10))];
            foreach (var period in ranges.SelectMany(r => new[] { ScorePeriod.Of(r.From, r.To, new DateOnly(2026, 6, 1)), ScorePeriod.Of(r.From, r.To, new DateOnly(2025, 5, 20)) }))
            {
                var totals = (await store.Ledger.GetScoreTotalsAsync(["A"], period, CancellationToken.None))["A"];
                Assert.True(ScoreRows.SumPeriod(recount, period.From, period.To)[ScoreAxis.Received, ScoreSide.Source][ScoreCounterNames.Population] > 0);
                LedgerAudit.AssertSameScorecard(period, "A", recount, totals);
            }
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
