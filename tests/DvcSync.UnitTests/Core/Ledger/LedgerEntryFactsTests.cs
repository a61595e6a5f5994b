using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;

namespace DvcSync.UnitTests.Core.Ledger;

/// <summary>The facts a ledger entry keeps of both copies, and the scorecard counters it contributes from them.</summary>
public sealed class LedgerEntryFactsTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 16, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateOnly Jan15 = new(2025, 1, 15);

    [Fact]
    public void A_new_entry_keeps_the_source_facts_and_an_acknowledged_write_makes_them_the_portals()
    {
        var entry = LedgerEntry.For(new DossierBuilder().Source(), Now);
        Assert.Equal(DossierFacts.Of(new DossierBuilder().Dossier()), entry.SourceFacts);
        Assert.Null(entry.PortalFacts);

        var confirmed = entry.Confirmed(Now);
        Assert.Equal(entry.SourceFacts, confirmed.PortalFacts);
    }

    [Fact]
    public void A_look_up_keeps_the_facts_of_the_copy_it_found_and_none_when_it_found_none()
    {
        var entry = LedgerEntry.For(new DossierBuilder().Source(), Now).Confirmed(Now);
        var stale = new DossierBuilder().Without("KenhThucHien").Dossier();

        Assert.Equal(1, entry.HoldingCopy(stale).PortalFacts!.Channel);
        Assert.Null(entry.HoldingCopy(null).PortalFacts);
    }

    [Fact]
    public void A_new_source_version_refreshes_the_source_facts()
    {
        var entry = LedgerEntry.For(new DossierBuilder().Source(), Now);
        var finished = new DossierBuilder().Status(10).Version(4).With("NgayKetThucXuLy", "20250120100000").Source();

        var moved = entry.AtVersionOf(finished, Now);
        Assert.Equal(DossierFacts.Of(finished.Dossier), moved.SourceFacts);
        Assert.Equal(OnTimeState.Ended, moved.SourceFacts!.OnTime.State);
    }

    [Fact]
    public void A_copy_held_but_never_shown_counts_as_the_provincial_copy_and_one_without_its_reception_date_not_at_all()
    {
        var entry = LedgerEntry.For(new DossierBuilder().Source(), Now) with { PortalHolds = true };
        var portalRow = entry.Contributions().Rows[new ScoreRowKey(ScoreAxis.Received, ScoreSide.Portal, Jan15)];
        Assert.Equal(1, portalRow[ScoreCounterNames.Population]);
        Assert.Equal(1, portalRow[ScoreCounterNames.Online]);

        var statusOne = entry with { PortalFacts = entry.SourceFacts! with { ReceivedDay = null } };
        Assert.DoesNotContain(statusOne.Contributions().Rows.Keys, k => k.Side == ScoreSide.Portal);

        var notHeld = entry with { PortalHolds = false, PortalFacts = entry.SourceFacts };
        Assert.DoesNotContain(notHeld.Contributions().Rows.Keys, k => k.Side == ScoreSide.Portal);
    }

    [Fact]
    public void An_entry_recorded_before_facts_were_collected_counts_as_without_facts_on_both_sides()
    {
        var entry = LedgerEntry.For(new DossierBuilder().Source(), Now) with { SourceFacts = null };
        var rows = entry.Contributions().Rows;
        Assert.Equal(1, rows[new ScoreRowKey(ScoreAxis.Received, ScoreSide.Source, Jan15)][ScoreCounterNames.WithoutFacts]);
        Assert.Equal(1, rows[new ScoreRowKey(ScoreAxis.Received, ScoreSide.Portal, Jan15)][ScoreCounterNames.WithoutFacts]);
    }
}
