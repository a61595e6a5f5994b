namespace DvcSync.Core.Ledger;

/// <summary>Where a dossier stands in the pipeline. The wire names are those of sync-api.md.</summary>
public enum SyncState
{
    /// <summary>The portal's copy was confirmed current at the ledger's version.</summary>
    Synced,
    /// <summary>Found missing or stale, repair queued, not yet tried.</summary>
    Pending,
    /// <summary>Transient failures; tried again at <see cref="LedgerEntry.NextAttemptAt"/>.</summary>
    Retrying,
    /// <summary>The portal refused the data (or would have); only a correction at the source helps.</summary>
    Rejected,
    /// <summary>Transient failures for longer than the give-up time; needs an operator.</summary>
    Abandoned,
}

public static class SyncStateNames
{
    public static string ToWire(this SyncState state) => state switch
    {
        SyncState.Synced => "synced",
        SyncState.Pending => "pending",
        SyncState.Retrying => "retrying",
        SyncState.Rejected => "rejected",
        SyncState.Abandoned => "abandoned",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParseWire(string? text, out SyncState state)
    {
        foreach (var candidate in Enum.GetValues<SyncState>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                state = candidate;
                return true;
            }
        }
        state = default;
        return false;
    }
}
