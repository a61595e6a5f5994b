using DvcSync.Core.Agencies;

namespace DvcSync.Core.Ports;

/// <summary>
/// What the project has learned of the agencies over time, so that a dossier of a unit today's list no longer names
/// still counts for the province and for the ancestors an earlier answer of the list gave it.
/// </summary>
public interface IAgencyArchive
{
    /// <summary>
    /// Records the agencies of one answer of the provincial list, each with its code, name, level and parent as that
    /// answer gave them. An agency already recorded is overwritten (the latest answer wins); none is ever removed, so
    /// an agency a later answer leaves out stays as last named. Idempotent: recording the same answer twice changes
    /// nothing. Durable when the call returns.
    /// </summary>
    Task RememberAsync(IReadOnlyCollection<Agency> listed, CancellationToken cancellationToken);

    /// <summary>Every agency ever recorded by <see cref="RememberAsync"/>, as last recorded, in no particular order.</summary>
    Task<IReadOnlyList<Agency>> GetRememberedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every agency the ledger holds an entry or a count for, in no particular order. Never short: an agency is on it
    /// before its first row is written (it may list an agency whose first write then failed).
    /// </summary>
    Task<IReadOnlyList<string>> GetAgenciesWithDataAsync(CancellationToken cancellationToken);
}
