using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Resync;

public sealed record ResyncAccepted(string MaHoSo, string MessageId);

/// <summary>An operator's "sync this one now": for a dossier fixed at the source, or one abandoned after an outage.</summary>
public sealed class ResyncCommand(IProvincialSystem provincial, ISyncLedger ledger, IRepairQueue queue, TimeProvider clock, ILogger<ResyncCommand> logger)
{
    /// <returns>Null when the provincial system does not know the dossier.</returns>
    public async Task<ResyncAccepted?> HandleAsync(string maHoSo, CancellationToken cancellationToken)
    {
        var source = await provincial.GetDossierAsync(maHoSo, cancellationToken);
        if (source is null || source.MaDonVi.Length == 0) return null;

        var now = clock.GetUtcNow();
        var entry = await ledger.GetAsync(source.MaDonVi, source.MaHoSo, cancellationToken);
        var fresh = (entry ?? LedgerEntry.For(source, now)).AtVersionOf(source, now);
        // Back in the repair's hands with a fresh give-up clock; a synced entry stays synced until the repair reports.
        var next = fresh.State == SyncState.Synced ? fresh : fresh.Requeued(now) with { FailingSince = null, Attempts = 0 };
        await ledger.SaveAsync(entry, next, cancellationToken);

        var id = await queue.EnqueueAsync(new RepairRequest(source.MaHoSo, source.MaDonVi, source.PhienBan, 0, RepairReason.Resync, Force: true), TimeSpan.Zero, cancellationToken);
        logger.LogInformation("Resync of {MaHoSo} queued as message {MessageId}", source.MaHoSo, id);
        return new ResyncAccepted(source.MaHoSo, id);
    }
}
