using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The agencies that have ledger partitions. Table storage cannot list partitions cheaply, and sweeping a
/// partition-per-agency table needs to know them; an agency is registered before its first entry is written, so
/// the list is never short.
/// </summary>
internal sealed class PartitionRegistry(TableClient stateTable)
{
    /// <summary>The partition of the state table that lists them.</summary>
    internal const string Partition = "ledger-partitions";
    private readonly ConcurrentDictionary<string, bool> _known = new(StringComparer.Ordinal);

    /// <summary>The state table, where the ledger's other cross-partition index (<see cref="DossierAgencyIndex"/>) lives too.</summary>
    public TableClient StateTable => stateTable;

    public async Task EnsureAsync(string maDonVi, CancellationToken cancellationToken)
    {
        if (_known.ContainsKey(maDonVi)) return;
        await stateTable.UpsertEntityAsync(new TableEntity(Partition, TableKeys.Escape(maDonVi)) { ["MaDonVi"] = maDonVi },
            TableUpdateMode.Replace, cancellationToken);
        _known[maDonVi] = true;
    }

    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var row in stateTable.QueryAsync<TableEntity>(filter, select: ["MaDonVi"], cancellationToken: cancellationToken))
            yield return row.GetString("MaDonVi") ?? row.RowKey;
    }
}
