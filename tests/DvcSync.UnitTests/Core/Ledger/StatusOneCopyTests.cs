using DvcSync.Core.Comparison;
using DvcSync.Core.Ledger;

namespace DvcSync.UnitTests.Core.Ledger;

/// <summary>
/// A copy pushed at status 1 (no NgayTiepNhan) whose update was lost: the portal holds it, so writes are updates, but
/// the national rule never counts it (sync-api.md, <c>synced</c>).
/// </summary>
public class StatusOneCopyTests
{
    private static readonly DateTimeOffset Now = new(2025, 2, 1, 10, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public void A_held_copy_without_a_reception_date_is_unsynced_until_the_update_lands()
    {
        var source = new DossierBuilder().Status(4).Source();
        var statusOneCopy = new DossierBuilder().Status(1).Without("NgayTiepNhan").Dossier();

        var verdict = PortalCopyComparer.Compare(source.Dossier, statusOneCopy);
        var observed = LedgerEntry.For(source, Now).Observed(verdict, Now);

        Assert.True(observed.PortalHolds); // the repair must update, not insert
        Assert.True(observed.PortalCopyLacksReceptionDate);
        Assert.True(observed.CountsAsReceived);
        Assert.False(observed.CountsAsSynced);
        Assert.True(observed.IsUnsynced);
        Assert.StartsWith(PortalCopyVerdict.MissingReceptionDate + ":", observed.LastError);

        var updated = observed.Confirmed(Now.AddMinutes(5));
        Assert.True(updated.CountsAsSynced);
        Assert.False(updated.IsUnsynced);
    }

    [Fact]
    public void A_stale_copy_with_its_reception_date_still_counts_as_synced()
    {
        var source = new DossierBuilder().Status(4).Source();
        var staleCopy = new DossierBuilder().Status(2).Dossier();

        var observed = LedgerEntry.For(source, Now).Observed(PortalCopyComparer.Compare(source.Dossier, staleCopy), Now);

        Assert.False(observed.PortalCopyLacksReceptionDate);
        Assert.True(observed.CountsAsSynced);
    }
}
