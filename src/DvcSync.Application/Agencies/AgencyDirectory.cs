using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Agencies;

/// <summary>
/// The agency hierarchy, read from the provincial system and kept for a few minutes: it changes a few times a year
/// (the July 2025 reform was one), while dashboards ask for it on every refresh. Every answer is remembered, and the
/// tree also holds the units the list no longer names (<see cref="RememberedAgencies"/>).
/// </summary>
public sealed class AgencyDirectory(IProvincialSystem provincial, IAgencyArchive archive, TimeProvider clock)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromMinutes(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (AgencyTree Tree, DateTimeOffset ReadAt)? _cached;

    /// <summary>Says a caller's agency code is unknown without repeating it: it is raw input, and may be anything.</summary>
    public static string NotListed(string code) =>
        $"The agency given ({Dossier.Shape(code)}) is not in the provincial system's list of agencies (GET /api/v1/donvi)";

    public async Task<AgencyTree> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } hit && clock.GetUtcNow() - hit.ReadAt < Freshness) return hit.Tree;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && clock.GetUtcNow() - again.ReadAt < Freshness) return again.Tree;
            try
            {
                var listed = await provincial.GetAgenciesAsync(cancellationToken);
                var remembered = await archive.GetRememberedAsync(cancellationToken);
                var known = remembered.ToDictionary(a => a.MaDonVi, StringComparer.Ordinal);
                var news = listed.Where(a => !known.TryGetValue(a.MaDonVi, out var before) || before != a).ToList();
                if (news.Count > 0) await archive.RememberAsync(news, cancellationToken);
                var tree = RememberedAgencies.Build(listed, remembered, await archive.GetAgenciesWithDataAsync(cancellationToken));
                _cached = (tree, clock.GetUtcNow());
                return tree;
            }
            catch (ExternalSystemUnavailableException) when (_cached is { } stale)
            {
                // Better an hour-old hierarchy than no dashboard while the provincial system is down.
                return stale.Tree;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
