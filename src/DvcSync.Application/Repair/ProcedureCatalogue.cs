using System.Collections.Concurrent;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Repair;

/// <summary>
/// Which MaTTHC the national catalogue knows, asked once per code (<c>LayThuTuc</c>) and remembered: a province uses
/// a few thousand procedures, so a dossier with an unknown code is refused before it costs a <c>DongBoHoSoMC</c>, and a
/// known code costs nothing after its first dossier. Unknown answers are kept for less time, since the catalogue grows.
/// </summary>
public sealed class ProcedureCatalogue(INationalPortal portal, TimeProvider clock)
{
    private static readonly TimeSpan KnownFor = TimeSpan.FromHours(24);
    private static readonly TimeSpan UnknownFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (bool Known, DateTimeOffset Until)> _answers = new(StringComparer.Ordinal);

    /// <summary>The question in flight per code: a batch of dossiers of one procedure, prepared in parallel, asks once.</summary>
    private readonly ConcurrentDictionary<string, Lazy<Task<bool?>>> _asking = new(StringComparer.Ordinal);

    /// <returns>Null when the catalogue could not be asked: the portal will judge the dossier itself.</returns>
    public async Task<bool?> IsKnownAsync(string maTthc, CancellationToken cancellationToken)
    {
        if (_answers.TryGetValue(maTthc, out var cached) && cached.Until > clock.GetUtcNow()) return cached.Known;

        var asking = _asking.GetOrAdd(maTthc, code => new Lazy<Task<bool?>>(() => AskAsync(code)));
        try
        {
            return await asking.Value.WaitAsync(cancellationToken);
        }
        finally
        {
            // Answered (and cached) or failed: the next dossier of this code reads the cache, or asks again.
            if (asking.Value.IsCompleted) _asking.TryRemove(new KeyValuePair<string, Lazy<Task<bool?>>>(maTthc, asking));
        }
    }

    /// <summary>Not cancellable by one waiter: others of the same code wait for the same answer.</summary>
    private async Task<bool?> AskAsync(string maTthc)
    {
        var answer = await portal.GetProcedureAsync(maTthc, CancellationToken.None);
        if (answer.Kind != PortalOutcomeKind.Accepted || answer.Known is not { } known) return null;
        _answers[maTthc] = (known, clock.GetUtcNow() + (known ? KnownFor : UnknownFor));
        return known;
    }
}
