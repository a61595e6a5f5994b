using DvcSync.Application.Resync;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Moq;

namespace DvcSync.UnitTests.Application.Resync;

/// <summary>An operator's resync: unknown dossiers are not found, known ones go back to the repair once, forced.</summary>
public class ResyncCommandTests
{
    private const string MaHoSo = "000.00.19.H19-250115-00001";
    private const string MaDonVi = "000.00.19.H19";
    private static readonly DateTimeOffset Now = HandlerFixture.Now;
    private readonly HandlerFixture _f = new();
    private readonly RecordingLogger<ResyncCommand> _log = new();

    private ResyncCommand Command() => new(_f.Provincial.Object, _f.Ledger.Object, _f.Queue.Object, _f.Clock, _log);

    private static SourceDossier Source(long version = 3) => new DossierBuilder().Code(MaHoSo, MaDonVi).Version(version).Source();

    private LedgerEntry Stored(SyncState state, long version = 3) => _f.Store(LedgerEntry.For(Source(version), Now.AddDays(-2)) with
    {
        State = state,
        Attempts = 7,
        FailingSince = Now.AddDays(-2),
        LastError = "the portal timed out",
        PortalHolds = state == SyncState.Synced,
    });

    private void NothingWritten()
    {
        Assert.Empty(_f.Saved);
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_dossier_the_provincial_system_does_not_know_is_not_found_and_nothing_is_queued()
    {
        _f.Provincial.Setup(p => p.GetDossierAsync(MaHoSo, It.IsAny<CancellationToken>())).ReturnsAsync((SourceDossier?)null);

        Assert.Null(await Command().HandleAsync(MaHoSo, CancellationToken.None));
        NothingWritten();
    }

    [Fact]
    public async Task A_dossier_without_an_agency_is_not_found_either()
    {
        _f.SourceHas(new DossierBuilder().Code(MaHoSo, "").Source());

        Assert.Null(await Command().HandleAsync(MaHoSo, CancellationToken.None));
        NothingWritten();
    }

    [Fact]
    public async Task A_dossier_the_ledger_has_not_seen_is_recorded_pending_and_queued_once_forced()
    {
        _f.SourceHas(Source());

        var accepted = await Command().HandleAsync(MaHoSo, CancellationToken.None);

        Assert.Equal(new ResyncAccepted(MaHoSo, "msg-1"), accepted);
        var (request, delay) = Assert.Single(_f.Enqueued);
        Assert.Equal(new RepairRequest(MaHoSo, MaDonVi, 3, 0, RepairReason.Resync, Force: true), request);
        Assert.Equal(TimeSpan.Zero, delay);
        Assert.Equal(SyncState.Pending, Assert.Single(_f.Saved).State);
    }

    [Theory]
    [InlineData(SyncState.Abandoned)]
    [InlineData(SyncState.Rejected)]
    [InlineData(SyncState.Retrying)]
    public async Task An_entry_given_up_or_failing_goes_back_to_pending_with_a_fresh_give_up_clock(SyncState state)
    {
        _f.SourceHas(Source());
        Stored(state);

        await Command().HandleAsync(MaHoSo, CancellationToken.None);

        var entry = _f.Entry(MaHoSo)!;
        Assert.Equal(SyncState.Pending, entry.State);
        Assert.Equal(0, entry.Attempts);
        Assert.Null(entry.FailingSince);
        Assert.Equal(Now, entry.NextAttemptAt);
        Assert.Single(_f.Enqueued);
    }

    [Fact]
    public async Task A_synced_entry_stays_synced_until_the_forced_repair_reports()
    {
        _f.SourceHas(Source());
        Stored(SyncState.Synced);

        await Command().HandleAsync(MaHoSo, CancellationToken.None);

        Assert.Equal(SyncState.Synced, _f.Entry(MaHoSo)!.State);
        Assert.True(Assert.Single(_f.Enqueued).Request.Force);
    }

    [Fact]
    public async Task A_newer_version_at_the_source_is_what_the_entry_and_the_message_speak_for()
    {
        _f.SourceHas(Source(version: 5));
        Stored(SyncState.Rejected, version: 3);

        await Command().HandleAsync(MaHoSo, CancellationToken.None);

        Assert.Equal(5, _f.Entry(MaHoSo)!.PhienBan);
        Assert.Equal(5, Assert.Single(_f.Enqueued).Request.PhienBan);
    }

    [Fact]
    public async Task The_log_names_the_dossier_by_its_code_alone()
    {
        _f.SourceHas(Source());

        await Command().HandleAsync(MaHoSo, CancellationToken.None);

        var line = Assert.Single(_log.Entries).Message;
        Assert.Contains(MaHoSo, line);
        foreach (var personal in new[] { "Nguyễn Văn An", "079012345678", "0901234567", "an.nguyen@example.vn" }) Assert.DoesNotContain(personal, line);
    }
}
