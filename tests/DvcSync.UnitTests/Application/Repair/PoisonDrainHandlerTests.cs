using DvcSync.Application.Repair;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace DvcSync.UnitTests.Application.Repair;

public class PoisonDrainHandlerTests
{
    private readonly HandlerFixture _f = new();
    private PoisonDrainHandler Handler() => new(_f.Ledger.Object, _f.Clock, NullLogger<PoisonDrainHandler>.Instance);

    [Fact]
    public async Task A_poisoned_repair_leaves_the_dossier_abandoned_with_the_reason()
    {
        var source = new DossierBuilder().Version(4).Source();
        _f.Store(LedgerEntry.For(source, HandlerFixture.Now) with { State = SyncState.Retrying, LastError = "HTTP 503" });

        await Handler().HandleMessageAsync(RepairMessageCodec.Encode(new RepairRequest(source.MaHoSo, source.MaDonVi, 4, 2, "x")), "m-1", CancellationToken.None);

        var entry = _f.Entry(source.MaHoSo)!;
        Assert.Equal(SyncState.Abandoned, entry.State);
        Assert.Contains("poison message m-1", entry.LastError);
        Assert.Contains("HTTP 503", entry.LastError);
    }

    [Fact]
    public async Task A_poisoned_duplicate_of_a_repair_that_succeeded_changes_nothing()
    {
        var source = new DossierBuilder().Version(4).Source();
        _f.Store(LedgerEntry.For(source, HandlerFixture.Now).Confirmed(HandlerFixture.Now));

        await Handler().HandleMessageAsync(RepairMessageCodec.Encode(new RepairRequest(source.MaHoSo, source.MaDonVi, 4, 0, "x")), "m-2", CancellationToken.None);

        Assert.Empty(_f.Saved);
        Assert.Equal(SyncState.Synced, _f.Entry(source.MaHoSo)!.State);
    }

    [Fact]
    public async Task Garbage_in_the_poison_queue_is_dropped_without_touching_the_ledger()
    {
        await Handler().HandleMessageAsync("{not json", "m-3", CancellationToken.None);
        Assert.Empty(_f.Saved);
    }
}
