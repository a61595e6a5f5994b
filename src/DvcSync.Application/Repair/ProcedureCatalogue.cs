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

    /// <returns>Null when the catalogue could not be asked: the portal will judge the dossier itself.</returns>
    public async Task<bool?> IsKnownAsync(string maTthc, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_answers.TryGetValue(maTthc, out var cached) && cached.Until > now) return cached.Known;

        var answer = await portal.GetProcedureAsync(maTthc, cancellationToken);
        if (answer.Kind != PortalOutcomeKind.Accepted || answer.Known is not { } known) return null;
        _answers[maTthc] = (known, now + (known ? KnownFor : UnknownFor));
        return known;
    }
}
