using DvcSync.Core.Agencies;
using DvcSync.Core.Ports;
using static DvcSync.Infrastructure.Sqlite.SqliteStore;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>
/// <see cref="IAgencyArchive"/> in the embedded store: one row per agency ever listed, and the agencies with data read
/// from the ledger's own tables — written in the same transactions as the entries and counts, so never short.
/// </summary>
internal sealed class SqliteAgencyArchive(SqliteStore store) : IAgencyArchive
{
    public Task RememberAsync(IReadOnlyCollection<Agency> listed, CancellationToken cancellationToken) =>
        store.WriteAsync((connection, transaction) =>
        {
            foreach (var agency in listed.DistinctBy(a => a.MaDonVi, StringComparer.Ordinal))
                Execute(connection, transaction, """
                    INSERT INTO agency_listed (ma_don_vi, ten_don_vi, cap, ma_don_vi_cha) VALUES ($a, $ten, $cap, $cha)
                    ON CONFLICT (ma_don_vi) DO UPDATE SET ten_don_vi = excluded.ten_don_vi, cap = excluded.cap, ma_don_vi_cha = excluded.ma_don_vi_cha
                    """, ("$a", agency.MaDonVi), ("$ten", agency.TenDonVi), ("$cap", agency.Cap), ("$cha", agency.MaDonViCha));
        }, cancellationToken);

    public Task<IReadOnlyList<Agency>> GetRememberedAsync(CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<Agency>>(connection =>
        {
            using var command = SqliteStore.Command(connection, null, "SELECT ma_don_vi, ten_don_vi, cap, ma_don_vi_cha FROM agency_listed");
            using var reader = command.ExecuteReader();
            var agencies = new List<Agency>();
            while (reader.Read())
                agencies.Add(new Agency(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            return agencies;
        }, cancellationToken);

    /// <summary>
    /// The agencies of the entries (a skip scan of the key: one seek per agency, not one read per entry) and of the day
    /// counts, which alone hold an agency whose only rows are reported counts.
    /// </summary>
    public Task<IReadOnlyList<string>> GetAgenciesWithDataAsync(CancellationToken cancellationToken) =>
        store.ReadAsync<IReadOnlyList<string>>(connection =>
        {
            using var command = SqliteStore.Command(connection, null, """
                WITH RECURSIVE entry_agency(ma_don_vi) AS (
                    SELECT MIN(ma_don_vi) FROM ledger_entry
                    UNION ALL
                    SELECT (SELECT MIN(ma_don_vi) FROM ledger_entry WHERE ma_don_vi > entry_agency.ma_don_vi) FROM entry_agency
                    WHERE entry_agency.ma_don_vi IS NOT NULL)
                SELECT ma_don_vi FROM entry_agency WHERE ma_don_vi IS NOT NULL
                UNION SELECT DISTINCT ma_don_vi FROM ledger_day
                """);
            using var reader = command.ExecuteReader();
            var agencies = new List<string>();
            while (reader.Read()) agencies.Add(reader.GetString(0));
            return agencies;
        }, cancellationToken);
}
