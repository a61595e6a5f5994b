namespace DvcSync.Infrastructure.Storage;

/// <summary>Names of the storage resources this project owns. The account itself comes from <c>AzureWebJobsStorage</c>.</summary>
public sealed class StorageOptions
{
    public const string LedgerTableName = "SyncLedger";
    public const string StateTableName = "SyncState";
    public const string RollupTableName = "SyncRollups";

    /// <summary>Also the queue the Functions trigger binds to (<c>%Sync:RepairQueue%</c>).</summary>
    public string RepairQueue { get; set; } = "dossier-repair";

    public string PoisonQueue => RepairQueue + "-poison";

    /// <summary>Prefix added to table names, so several test runs or environments can share one account.</summary>
    public string TablePrefix { get; set; } = "";
}
