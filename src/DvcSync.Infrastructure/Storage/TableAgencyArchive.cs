using Azure.Data.Tables;
using DvcSync.Core.Agencies;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// <see cref="IAgencyArchive"/> in the state table: one row per agency ever listed, in a partition of its own, and the
/// ledger's <see cref="PartitionRegistry"/> for the agencies with data.
/// </summary>
internal sealed class TableAgencyArchive(TableClient stateTable, PartitionRegistry partitions) : IAgencyArchive
{
    internal const string Partition = "agencies-listed";
    private const int RowsPerTransaction = 100;

    public async Task RememberAsync(IReadOnlyCollection<Agency> listed, CancellationToken cancellationToken)
    {
        var rows = listed
            .DistinctBy(a => a.MaDonVi, StringComparer.Ordinal)
            .Select(a => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, TableKeys.Escape(a.MaDonVi))
            {
                ["MaDonVi"] = a.MaDonVi,
                ["TenDonVi"] = a.TenDonVi,
                ["Cap"] = a.Cap,
                ["MaDonViCha"] = a.MaDonViCha,
            }));
        foreach (var chunk in rows.Chunk(RowsPerTransaction))
            await stateTable.SubmitTransactionAsync(chunk, cancellationToken);
    }

    public async Task<IReadOnlyList<Agency>> GetRememberedAsync(CancellationToken cancellationToken)
    {
        var agencies = new List<Agency>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var row in stateTable.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            agencies.Add(new Agency(row.GetString("MaDonVi") ?? row.RowKey, row.GetString("TenDonVi") ?? "", row.GetString("Cap") ?? "", row.GetString("MaDonViCha")));
        return agencies;
    }

    public async Task<IReadOnlyList<string>> GetAgenciesWithDataAsync(CancellationToken cancellationToken)
    {
        var agencies = new List<string>();
        await foreach (var code in partitions.ListAsync(cancellationToken)) agencies.Add(code);
        return agencies;
    }
}
