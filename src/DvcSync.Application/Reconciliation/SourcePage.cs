using DvcSync.Core.Dossiers;

namespace DvcSync.Application.Reconciliation;

/// <summary>A page of source dossiers to check, where the source continues after it, and how many dossiers were read
/// for it (more than <see cref="Items"/> when the caller kept only some).</summary>
public sealed record SourcePage(IReadOnlyList<SourceDossier> Items, string? NextCursor, int Read);

/// <summary>What one pass over source pages did. Updated from many threads while the pass runs.</summary>
public sealed class CheckCounters
{
    public long Read, Completed, Skipped, Checked, Lookups, Mismatches, Queued, Unreadable, Requeued;
}
