using System.Text.Json.Nodes;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;

namespace DvcSync.Core.Ports;

public sealed record ChangedDossiersPage(IReadOnlyList<SourceDossier> Items, string? NextCursor);

public sealed record ReportedReceivedCount(string MaDonVi, DateOnly Ngay, long SoHoSoTiepNhan);

/// <summary>
/// The provincial one-stop system, read-only (provincial-system.md). Failures of transport or authentication that
/// survive the client's own retries surface as <see cref="ExternalSystemUnavailableException"/>.
/// </summary>
public interface IProvincialSystem
{
    /// <param name="from">Inclusive.</param>
    /// <param name="to">Exclusive.</param>
    /// <param name="limit">The most dossiers the page may hold, 1 or more (the client asks for at most its system's maximum).</param>
    Task<ChangedDossiersPage> GetChangedAsync(DateTimeOffset from, DateTimeOffset to, string? cursor, int limit, CancellationToken cancellationToken);

    /// <returns>Null when the provincial system does not know the dossier.</returns>
    Task<SourceDossier?> GetDossierAsync(string maHoSo, CancellationToken cancellationToken);

    /// <summary>Processing steps in time order, as the portal's <c>CapNhatTienDoHoSoMC</c> takes them.</summary>
    Task<IReadOnlyList<JsonObject>> GetStepsAsync(string maHoSo, CancellationToken cancellationToken);

    Task<IReadOnlyList<Agency>> GetAgenciesAsync(CancellationToken cancellationToken);

    /// <param name="from">Inclusive.</param>
    /// <param name="to">Inclusive.</param>
    Task<IReadOnlyList<ReportedReceivedCount>> GetReceivedCountsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>An external system could not be reached or would not answer; worth trying again later.</summary>
public sealed class ExternalSystemUnavailableException(string system, string reason, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception($"{system} unavailable: {reason}", inner)
{
    public string System { get; } = system;
    public string Reason { get; } = reason;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
