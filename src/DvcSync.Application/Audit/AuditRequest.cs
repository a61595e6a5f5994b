using DvcSync.Core.Ports;

namespace DvcSync.Application.Audit;

/// <summary>An audit of the dossiers received from <see cref="From"/> to <see cref="To"/> (Asia/Ho_Chi_Minh days,
/// inclusive), for one agency and every agency below it, or the whole province when <see cref="Agency"/> is null.</summary>
public sealed record AuditRequest(DateOnly From, DateOnly To, string? Agency);

/// <summary>Another audit is active: one at a time, since they share the portal's ceiling.</summary>
public sealed class AuditConflictException(AuditJob active)
    : Exception($"Audit {active.Id} ({active.From:yyyy-MM-dd} to {active.To:yyyy-MM-dd}{(active.Agency is null ? "" : ", " + active.Agency)}) is {active.Status}; cancel it or wait for it to finish")
{
    public AuditJob Active { get; } = active;
}
