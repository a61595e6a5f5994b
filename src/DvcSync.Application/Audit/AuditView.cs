using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Audit;

/// <summary>An audit as the API and /api/health show it: times in Asia/Ho_Chi_Minh, no resume cursor, no ETag.</summary>
public sealed record AuditView(
    string Id,
    string From,
    string To,
    string? Agency,
    string Status,
    long Done,
    long Total,
    double? Percent,
    long Read,
    long PortalLookups,
    double CallRate,
    double? SecondsLeft,
    long Mismatches,
    long RepairsQueued,
    string RequestedAt,
    string? StartedAt,
    string? FinishedAt,
    string UpdatedAt,
    string? Error)
{
    public static AuditView Of(AuditJob job) => new(
        job.Id,
        job.From.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        job.To.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        job.Agency,
        job.Status,
        job.Done + job.InFlight,
        job.Total,
        job.Total > 0 ? Math.Round(100.0 * (job.Done + job.InFlight) / job.Total, 1) : null,
        job.Read,
        job.PortalLookups,
        Math.Round(job.CallRate, 2),
        job.SecondsLeft is { } s ? Math.Round(s) : null,
        job.Mismatches,
        job.RepairsQueued,
        VnTime.FormatIso(job.RequestedAt),
        job.StartedAt is { } started ? VnTime.FormatIso(started) : null,
        job.FinishedAt is { } finished ? VnTime.FormatIso(finished) : null,
        VnTime.FormatIso(job.UpdatedAt),
        job.Error);
}
