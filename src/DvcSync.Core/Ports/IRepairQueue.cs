namespace DvcSync.Core.Ports;

/// <summary>
/// A request to bring one dossier's portal copy up to date. The attempt count travels in the message because the
/// platform's own redelivery is immediate and blind: the schedule is ours, and behaves the same on every host.
/// <see cref="Force"/> sends the dossier even when the ledger says the portal's copy is current: an operator's resync.
/// </summary>
public sealed record RepairRequest(string MaHoSo, string MaDonVi, long PhienBan, int Attempt, string Reason, bool Force = false);

public interface IRepairQueue
{
    /// <returns>The queue's id of the message.</returns>
    Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken);

    Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken);

    Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken);
}
