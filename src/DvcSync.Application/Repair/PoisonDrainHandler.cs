using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Repair;

public interface IPoisonDrainHandler
{
    Task HandleMessageAsync(string message, string messageId, CancellationToken cancellationToken);
}

/// <summary>
/// A repair message that crashed the handler five times lands in <c>&lt;queue&gt;-poison</c>, where the platform would
/// let it expire unseen after seven days. Draining it records the dossier as <c>abandoned</c> with the reason, so it
/// shows in the unsynced list, the alerts and the health figures until an operator resyncs it.
/// </summary>
public sealed class PoisonDrainHandler(ISyncLedger ledger, TimeProvider clock, ILogger<PoisonDrainHandler> logger) : IPoisonDrainHandler
{
    public async Task HandleMessageAsync(string message, string messageId, CancellationToken cancellationToken)
    {
        IReadOnlyList<RepairRequest> requests;
        try
        {
            requests = RepairMessageCodec.DecodeBatch(message);
        }
        catch (FormatException e)
        {
            // Nothing names a dossier in it, so there is no ledger row to mark; the log is the record.
            logger.LogError("Poison message {MessageId} is not a repair request and was dropped: {Reason}", messageId, e.Message);
            return;
        }
        foreach (var request in requests) await AbandonAsync(request, messageId, cancellationToken);
    }

    private async Task AbandonAsync(RepairRequest request, string messageId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var entry = await ledger.GetAsync(request.MaDonVi, request.MaHoSo, cancellationToken);
            if (entry is null)
            {
                logger.LogError("Poison message {MessageId} names {MaHoSo}, which the ledger does not hold; the next reconciliation will find it", messageId, request.MaHoSo);
                return;
            }
            if (entry.State is SyncState.Synced or SyncState.Rejected && entry.PhienBan >= request.PhienBan) return;

            var now = clock.GetUtcNow();
            var reason = $"the repair failed five times in a row without a verdict (poison message {messageId}; see the logs); last error: {entry.LastError ?? "none"}";
            try
            {
                await ledger.SaveAsync(entry, entry.Abandoned(reason, now), cancellationToken);
                logger.LogError("Repair of {MaHoSo} abandoned: its message was poisoned", request.MaHoSo);
                return;
            }
            catch (LedgerConflictException) when (attempt < 3)
            {
                // Something else moved the entry meanwhile; look again.
            }
        }
    }
}
