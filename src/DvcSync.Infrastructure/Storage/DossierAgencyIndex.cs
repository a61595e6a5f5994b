using Azure;
using Azure.Data.Tables;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Which agency's entry speaks for each dossier (MaHoSo → MaDonVi), in the state table, one partition per dossier so the
/// index never becomes a hot partition. The ledger is partitioned by agency; when the provincial system moves a dossier to
/// another unit, this is how the new agency's first save finds the old agency's entry (<see cref="LedgerEntryWriter"/>). Only
/// the first save of an entry reads it; later saves of the entry do not touch it.
/// </summary>
internal sealed class DossierAgencyIndex(TableClient stateTable)
{
    internal const string PartitionPrefix = "ledger-dossier|";
    internal const string Row = "agency";

    public static string Partition(string maHoSo) => PartitionPrefix + TableKeys.Escape(maHoSo);

    /// <returns>The agency last named for the dossier (null: none yet), the version it was named at, and the row's ETag
    /// for a conditional change.</returns>
    public async Task<(string? Agency, long PhienBan, ETag? ETag)> ReadAsync(string maHoSo, CancellationToken cancellationToken)
    {
        var row = await stateTable.GetEntityIfExistsAsync<TableEntity>(Partition(maHoSo), Row, cancellationToken: cancellationToken);
        return row.HasValue ? (row.Value!.GetString("MaDonVi"), row.Value.GetInt64("PhienBan") ?? 0, row.Value.ETag) : (null, 0, null);
    }

    /// <summary>Names <paramref name="agency"/> for the dossier at <paramref name="phienBan"/> if the row is still as read
    /// (<paramref name="etag"/>; null: absent).</summary>
    /// <returns>False when another writer changed it first.</returns>
    public async Task<bool> TryNameAsync(string maHoSo, string agency, long phienBan, ETag? etag, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition(maHoSo), Row) { ["MaDonVi"] = agency, ["PhienBan"] = phienBan };
        try
        {
            if (etag is { } known) await stateTable.UpdateEntityAsync(entity, known, TableUpdateMode.Replace, cancellationToken);
            else await stateTable.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (LedgerConcurrency.IsConflict(e.Status))
        {
            return false;
        }
    }
}
