using System.Collections.Concurrent;
using DvcSync.Core.Agencies;
using DvcSync.Core.Ports;

namespace DvcSync.UnitTests.Application;

/// <summary>The agency archive port in memory, with its semantics: the latest answer wins, nothing is removed.</summary>
public sealed class InMemoryAgencyArchive : IAgencyArchive
{
    private readonly ConcurrentDictionary<string, Agency> _remembered = new(StringComparer.Ordinal);

    public List<string> AgenciesWithData { get; } = [];

    public Task RememberAsync(IReadOnlyCollection<Agency> listed, CancellationToken cancellationToken)
    {
        foreach (var agency in listed) _remembered[agency.MaDonVi] = agency;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Agency>> GetRememberedAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Agency>>([.. _remembered.Values]);

    public Task<IReadOnlyList<string>> GetAgenciesWithDataAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([.. AgenciesWithData]);
}
