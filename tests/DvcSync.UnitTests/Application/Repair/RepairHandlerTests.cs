using System.Text.Json.Nodes;
using DvcSync.Application.Repair;
using DvcSync.Application.PortalAvailability;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DvcSync.UnitTests.Application.Repair;

public class RepairHandlerTests
{
    private readonly HandlerFixture _f = new();
    private readonly SourceDossier _source = new DossierBuilder().Version(3).Source();

    public RepairHandlerTests() =>
        _f.Portal.Setup(p => p.GetProcedureAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ProcedureLookupResult(PortalOutcomeKind.Accepted, true, ""));

    private DvcSync.Application.Telemetry.FreshnessWindow? _freshness;

    private RepairHandler Handler() => new(_f.Provincial.Object, _f.Portal.Object, _f.Ledger.Object, _f.Queue.Object,
        new ProcedureCatalogue(_f.Portal.Object, _f.Clock), _f.Options, _f.Clock, NullLogger<RepairHandler>.Instance, _freshness);
    private RepairRequest Request(int attempt = 0) => new(_source.MaHoSo, _source.MaDonVi, _source.PhienBan, attempt, "missing");

    private void PortalAnswers(bool isUpdating, PortalWriteResult result) =>
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), isUpdating, It.IsAny<CancellationToken>())).ReturnsAsync(result);

    private void StepsAccepted() =>
        _f.Portal.Setup(p => p.AppendStepsAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<CancellationToken>())).ReturnsAsync(PortalWriteResult.Success);

    [Fact]
    public async Task A_missing_dossier_is_inserted_with_its_steps_in_chunks_of_ten_and_confirmed()
    {
        _f.SourceHas(_source);
        _f.SourceHasSteps(_source.MaHoSo, 12);
        PortalAnswers(false, PortalWriteResult.Success);
        StepsAccepted();

        var outcome = await Handler().HandleAsync(Request(), CancellationToken.None);

        Assert.Equal(RepairOutcome.Synced, outcome);
        _f.Portal.Verify(p => p.SyncDossiersAsync(It.Is<IReadOnlyList<JsonObject>>(d => d.Count == 1 && !d[0].ContainsKey("PhienBan")), false, It.IsAny<CancellationToken>()), Times.Once);
        _f.Portal.Verify(p => p.AppendStepsAsync(It.Is<IReadOnlyList<JsonObject>>(s => s.Count == 10), It.IsAny<CancellationToken>()), Times.Once);
        _f.Portal.Verify(p => p.AppendStepsAsync(It.Is<IReadOnlyList<JsonObject>>(s => s.Count == 2), It.IsAny<CancellationToken>()), Times.Once);
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(SyncState.Synced, entry.State);
        Assert.True(entry.PortalHolds);
        Assert.Equal(3, entry.PhienBan);
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_message_addressed_to_the_agency_a_dossier_left_repairs_it_under_its_new_agency()
    {
        _f.SourceHas(_source);
        _f.SourceHasSteps(_source.MaHoSo, 0);
        PortalAnswers(false, PortalWriteResult.Success);
        StepsAccepted();

        var outcome = await Handler().HandleAsync(Request() with { MaDonVi = "000.00.99.OLD" }, CancellationToken.None);

        Assert.Equal(RepairOutcome.Synced, outcome);
        Assert.All(_f.Saved, e => Assert.Equal(_source.MaDonVi, e.MaDonVi));
        Assert.NotEmpty(_f.Saved);
        _f.Ledger.Verify(l => l.GetAsync(_source.MaDonVi, _source.MaHoSo, It.IsAny<CancellationToken>()), Times.AtLeastOnce);
        _f.Ledger.Verify(l => l.SaveAsync(It.IsAny<LedgerEntry?>(), It.Is<LedgerEntry>(e => e.MaDonVi == "000.00.99.OLD"), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task An_acknowledged_write_is_a_confirmation_whose_freshness_runs_from_the_source_change_a_refused_one_is_not()
    {
        _freshness = new DvcSync.Application.Telemetry.FreshnessWindow(_f.Clock);
        var source = new DossierBuilder().Version(3).With("NgayCapNhat", VnTime.Format(HandlerFixture.Now.AddSeconds(-42))).Source();
        _f.SourceHas(source);
        _f.SourceHasSteps(source.MaHoSo, 1);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "hết thời gian chờ", []));

        Assert.Equal(RepairOutcome.RetryScheduled, await Handler().HandleAsync(Request(), CancellationToken.None));
        Assert.Equal(0, _freshness.Figures().Count);

        PortalAnswers(false, PortalWriteResult.Success);
        StepsAccepted();
        Assert.Equal(RepairOutcome.Synced, await Handler().HandleAsync(Request(1), CancellationToken.None));

        var figures = _freshness.Figures();
        Assert.Equal(1, figures.Count);
        Assert.Equal(42, figures.MaxSeconds!.Value, 3);
    }

    [Fact]
    public async Task An_insert_the_portal_already_holds_is_resent_as_an_update()
    {
        _f.SourceHas(_source);
        _f.SourceHasSteps(_source.MaHoSo, 0);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.AlreadyExists, "đã tồn tại", []));
        PortalAnswers(true, PortalWriteResult.Success);

        Assert.Equal(RepairOutcome.Synced, await Handler().HandleAsync(Request(), CancellationToken.None));
        _f.Portal.Verify(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), true, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task An_update_of_a_dossier_the_portal_lost_is_resent_as_an_insert()
    {
        _f.Store(LedgerEntry.For(_source, HandlerFixture.Now) with { PortalHolds = true, PhienBan = 2 });
        _f.SourceHas(_source);
        _f.SourceHasSteps(_source.MaHoSo, 0);
        PortalAnswers(true, new PortalWriteResult(PortalOutcomeKind.NotFound, "không tồn tại", []));
        PortalAnswers(false, PortalWriteResult.Success);

        Assert.Equal(RepairOutcome.Synced, await Handler().HandleAsync(Request(), CancellationToken.None));
        _f.Portal.Verify(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), false, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Invalid_data_ends_rejected_in_the_portals_words_and_is_not_retried()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.InvalidData, "Dữ liệu không hợp lệ",
            [new PortalItemError(_source.MaHoSo, PortalOutcomeKind.InvalidData, "MaTTHC 1.001234 không tồn tại trong CSDL quốc gia về TTHC")]));

        Assert.Equal(RepairOutcome.Rejected, await Handler().HandleAsync(Request(), CancellationToken.None));
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(SyncState.Rejected, entry.State);
        Assert.Equal("MaTTHC 1.001234 không tồn tại trong CSDL quốc gia về TTHC", entry.LastError);
        Assert.False(entry.PortalHolds);
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_final_state_conflict_is_rejected_but_still_counts_as_held()
    {
        _f.Store(LedgerEntry.For(_source, HandlerFixture.Now) with { PortalHolds = true, PhienBan = 2 });
        _f.SourceHas(_source);
        PortalAnswers(true, new PortalWriteResult(PortalOutcomeKind.FinalStateConflict, "Hồ sơ đã kết thúc, không được cập nhật trạng thái", []));

        Assert.Equal(RepairOutcome.Rejected, await Handler().HandleAsync(Request(), CancellationToken.None));
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(SyncState.Rejected, entry.State);
        Assert.True(entry.PortalHolds);
        Assert.Contains("đã kết thúc", entry.LastError);
    }

    [Fact]
    public async Task Data_the_portal_would_refuse_is_rejected_without_a_portal_call()
    {
        var bad = new DossierBuilder().Status(9).Version(3).Source();
        _f.SourceHas(bad);

        Assert.Equal(RepairOutcome.Rejected, await Handler().HandleAsync(Request(), CancellationToken.None));
        _f.Portal.VerifyNoOtherCalls();
        Assert.Contains("NgayKetThucXuLy", _f.Entry(bad.MaHoSo)!.LastError);
    }

    [Fact]
    public async Task A_transient_failure_schedules_a_new_message_with_backoff_and_the_attempt_count()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 503", [], TimeSpan.FromSeconds(1)));

        Assert.Equal(RepairOutcome.RetryScheduled, await Handler().HandleAsync(Request(), CancellationToken.None));

        var (request, delay) = Assert.Single(_f.Enqueued);
        Assert.Equal(1, request.Attempt);
        Assert.InRange(delay, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(SyncState.Retrying, entry.State);
        Assert.Equal(HandlerFixture.Now + delay, entry.NextAttemptAt);
        Assert.Equal(HandlerFixture.Now, entry.FailingSince);
    }

    [Fact]
    public async Task Retry_After_longer_than_the_backoff_wins()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 429", [], TimeSpan.FromMinutes(2)));

        await Handler().HandleAsync(Request(), CancellationToken.None);
        Assert.Equal(TimeSpan.FromMinutes(2), Assert.Single(_f.Enqueued).Delay);
    }

    [Fact]
    public async Task Failing_for_longer_than_the_give_up_time_abandons()
    {
        _f.Store(LedgerEntry.For(_source, HandlerFixture.Now) with { State = SyncState.Retrying, Attempts = 9, FailingSince = HandlerFixture.Now.AddHours(-25) });
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 503", []));

        Assert.Equal(RepairOutcome.Abandoned, await Handler().HandleAsync(Request(9), CancellationToken.None));
        Assert.Equal(SyncState.Abandoned, _f.Entry(_source.MaHoSo)!.State);
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_procedure_the_national_catalogue_does_not_know_is_rejected_before_sending()
    {
        _f.SourceHas(_source);
        _f.Portal.Setup(p => p.GetProcedureAsync("1.001234", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ProcedureLookupResult(PortalOutcomeKind.Accepted, false, ""));

        Assert.Equal(RepairOutcome.Rejected, await Handler().HandleAsync(Request(), CancellationToken.None));
        _f.Portal.Verify(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Contains("MaTTHC 1.001234 không tồn tại trong CSDL quốc gia về TTHC", _f.Entry(_source.MaHoSo)!.LastError);
    }

    [Fact]
    public async Task While_the_portal_is_down_a_repair_is_deferred_past_the_next_probe_without_spending_an_attempt()
    {
        _f.Store(LedgerEntry.For(_source, HandlerFixture.Now) with { State = SyncState.Retrying, Attempts = 3, FailingSince = HandlerFixture.Now.AddHours(-30) });
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.CircuitOpen, "circuit open", [], TimeSpan.FromSeconds(40)));

        Assert.Equal(RepairOutcome.Deferred, await Handler().HandleAsync(Request(3), CancellationToken.None));

        var (request, delay) = Assert.Single(_f.Enqueued);
        Assert.Equal(3, request.Attempt);
        Assert.InRange(delay, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(70));
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(3, entry.Attempts);
        Assert.Equal(SyncState.Retrying, entry.State);
        Assert.Equal(HandlerFixture.Now + delay, entry.NextAttemptAt);
    }

    [Fact]
    public async Task A_request_the_portal_refuses_as_malformed_is_deferred_without_spending_an_attempt_or_moving_the_give_up_clock()
    {
        var failingSince = HandlerFixture.Now.AddHours(-30);
        _f.Store(LedgerEntry.For(_source, HandlerFixture.Now) with { State = SyncState.Retrying, Attempts = 4, FailingSince = failingSince });
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.ConfigurationError, "the portal could not parse the request (HTTP 400, error_code 1): check NationalPortal:DstCode", []));

        Assert.Equal(RepairOutcome.Deferred, await Handler().HandleAsync(Request(4), CancellationToken.None));

        var (request, delay) = Assert.Single(_f.Enqueued);
        Assert.Equal(4, request.Attempt);
        Assert.Equal(RepairReason.Deferred, request.Reason);
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(4, entry.Attempts);
        Assert.Equal(failingSince, entry.FailingSince);
        Assert.Equal(SyncState.Retrying, entry.State);
        Assert.Equal(HandlerFixture.Now + delay, entry.NextAttemptAt);
        Assert.Contains("NationalPortal:DstCode", entry.LastError);
    }

    [Fact]
    public async Task A_duplicate_message_for_a_confirmed_version_sends_nothing()
    {
        _f.Store(LedgerEntry.For(_source, HandlerFixture.Now).Confirmed(HandlerFixture.Now));
        _f.SourceHas(_source);

        Assert.Equal(RepairOutcome.AlreadyCurrent, await Handler().HandleAsync(Request(), CancellationToken.None));
        _f.Portal.VerifyNoOtherCalls();
        Assert.Empty(_f.Saved);
    }

    [Fact]
    public async Task A_provincial_outage_is_retried_later_not_thrown()
    {
        _f.Provincial.Setup(p => p.GetDossierAsync(_source.MaHoSo, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExternalSystemUnavailableException("provincial system", "HTTP 503"));

        Assert.Equal(RepairOutcome.RetryScheduled, await Handler().HandleAsync(Request(), CancellationToken.None));
        Assert.Equal(1, Assert.Single(_f.Enqueued).Request.Attempt);
    }

    [Fact]
    public async Task An_unexpected_error_is_thrown_to_the_host_so_the_message_comes_back()
    {
        _f.SourceHas(_source);
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new InvalidOperationException("bug"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Handler().HandleAsync(Request(), CancellationToken.None));
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_save_that_conflicts_is_applied_again_to_the_fresh_entry_without_sending_again()
    {
        _f.SourceHas(_source);
        _f.SourceHasSteps(_source.MaHoSo, 0);
        PortalAnswers(false, PortalWriteResult.Success);
        // A reconciliation looks the dossier up and records it missing, twice, while the repair sends it.
        _f.WriteConcurrentlyBeforeNextSaves(2, stored => (stored ?? LedgerEntry.For(_source, HandlerFixture.Now)) with { State = SyncState.Pending, LastError = "missing" });

        Assert.Equal(RepairOutcome.Synced, await Handler().HandleAsync(Request(), CancellationToken.None));

        _f.Portal.Verify(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Once);
        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(SyncState.Synced, entry.State);
        Assert.Equal(3, entry.PhienBan);
        Assert.Null(entry.LastError);
        Assert.Single(_f.Saved);
    }

    [Fact]
    public async Task A_retry_is_scheduled_on_the_entry_as_it_is_after_a_conflict()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 503", []));
        // Another delivery of the same repair failed meanwhile and counted its attempt.
        _f.WriteConcurrentlyBeforeNextSaves(1, _ => LedgerEntry.For(_source, HandlerFixture.Now)
            .RetryScheduled("portal: HTTP 503", HandlerFixture.Now.AddSeconds(10), HandlerFixture.Now.AddMinutes(-5)));

        Assert.Equal(RepairOutcome.RetryScheduled, await Handler().HandleAsync(Request(), CancellationToken.None));

        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(2, entry.Attempts);
        Assert.Equal(HandlerFixture.Now.AddMinutes(-5), entry.FailingSince);
        Assert.Equal(2, Assert.Single(_f.Enqueued).Request.Attempt);
    }

    [Fact]
    public async Task A_conclusion_the_ledger_has_moved_past_is_dropped()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 503", []));
        // Meanwhile a repair of the next version synced it.
        var newer = new DossierBuilder().Version(4).Source();
        _f.WriteConcurrentlyBeforeNextSaves(1, _ => LedgerEntry.For(newer, HandlerFixture.Now).Confirmed(HandlerFixture.Now));

        Assert.Equal(RepairOutcome.Superseded, await Handler().HandleAsync(Request(), CancellationToken.None));

        var entry = _f.Entry(_source.MaHoSo)!;
        Assert.Equal(4, entry.PhienBan);
        Assert.Equal(SyncState.Synced, entry.State);
        Assert.Empty(_f.Saved);
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_save_that_keeps_conflicting_is_thrown_to_the_host_after_a_few_tries_and_sends_once()
    {
        _f.SourceHas(_source);
        _f.SourceHasSteps(_source.MaHoSo, 0);
        PortalAnswers(false, PortalWriteResult.Success);
        _f.WriteConcurrentlyBeforeNextSaves(RepairHandler.MaxSaveAttempts, stored => (stored ?? LedgerEntry.For(_source, HandlerFixture.Now)) with { State = SyncState.Pending });

        await Assert.ThrowsAsync<LedgerConflictException>(() => Handler().HandleAsync(Request(), CancellationToken.None));

        _f.Portal.Verify(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()), Times.Once);
        // The first try with the batch's other conclusions, then alone, read again each time.
        _f.Ledger.Verify(l => l.SaveManyAsync(It.IsAny<IReadOnlyList<LedgerChange>>(), It.IsAny<CancellationToken>()), Times.Once);
        _f.Ledger.Verify(l => l.SaveAsync(It.IsAny<LedgerEntry?>(), It.IsAny<LedgerEntry>(), It.IsAny<CancellationToken>()), Times.Exactly(RepairHandler.MaxSaveAttempts - 1));
        Assert.Empty(_f.Saved);
    }

    [Fact]
    public async Task A_refusal_quoting_the_applicant_is_kept_in_the_portals_words_without_any_personal_value()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.InvalidData, "Dữ liệu không hợp lệ",
            [new PortalItemError(_source.MaHoSo, PortalOutcomeKind.InvalidData,
                "MaTTHC 1.001234 không tồn tại trong CSDL quốc gia về TTHC (chủ hồ sơ NGUYEN VAN AN, CCCD 079012345678, SĐT 0901 234 567, an.nguyen@example.vn)")]));

        Assert.Equal(RepairOutcome.Rejected, await Handler().HandleAsync(Request(), CancellationToken.None));

        Assert.Equal("MaTTHC 1.001234 không tồn tại trong CSDL quốc gia về TTHC (chủ hồ sơ ***, CCCD ***, SĐT ***, ***)", _f.Entry(_source.MaHoSo)!.LastError);
    }

    [Fact]
    public async Task A_failure_quoting_the_applicant_is_retried_with_the_code_and_words_kept_and_a_code_for_a_reason()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.Transient, "the portal could not do it (error_code 99: Lỗi hệ thống khi xử lý hồ sơ của Nguyễn Văn An)", []));

        Assert.Equal(RepairOutcome.RetryScheduled, await Handler().HandleAsync(Request(), CancellationToken.None));

        Assert.Equal("portal: the portal could not do it (error_code 99: Lỗi hệ thống khi xử lý hồ sơ của ***)", _f.Entry(_source.MaHoSo)!.LastError);
        Assert.Equal(RepairReason.Retry, Assert.Single(_f.Enqueued).Request.Reason);
    }

    [Fact]
    public async Task A_deferred_repair_is_queued_with_a_code_for_a_reason()
    {
        _f.SourceHas(_source);
        PortalAnswers(false, new PortalWriteResult(PortalOutcomeKind.CircuitOpen, "circuit open", [], TimeSpan.FromSeconds(1)));

        Assert.Equal(RepairOutcome.Deferred, await Handler().HandleAsync(Request(), CancellationToken.None));
        Assert.Equal(RepairReason.Deferred, Assert.Single(_f.Enqueued).Request.Reason);
    }

    [Theory]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":2,"reason":"portal: the portal could not do it (error_code 99: Lỗi hệ thống khi xử lý hồ sơ của Nguyễn Văn An)","force":false}""", RepairReason.Retry)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":0,"reason":"not on the portal"}""", RepairReason.Missing)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":0,"reason":"stale on the portal: TrangThaiHoSo 4 on the portal, 9 at the source"}""", RepairReason.Stale)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":0,"reason":"look-up failed: the portal answered HTTP 503"}""", RepairReason.LookupFailed)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":1,"reason":"deferred: portal unavailable"}""", RepairReason.Deferred)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":0,"reason":"resync requested","force":true}""", RepairReason.Resync)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":4,"reason":"requeued: no repair seen since 2025-01-15T02:30:12.0000000+00:00"}""", RepairReason.Requeued)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":0,"reason":"Nguyễn Văn An gọi điện"}""", RepairReason.Other)]
    [InlineData("""{"maHoSo":"A-1","maDonVi":"A","phienBan":3,"attempt":0,"reason":"stale"}""", RepairReason.Stale)]
    public void A_message_queued_with_free_text_still_decodes_and_carries_only_a_code_on(string message, string reason)
    {
        var request = RepairMessageCodec.Decode(message);
        Assert.Equal(("A-1", "A", 3L), (request.MaHoSo, request.MaDonVi, request.PhienBan));
        Assert.Equal(reason, request.Reason);
        Assert.DoesNotContain("Nguy", RepairMessageCodec.Encode(request));
    }

    [Fact]
    public async Task A_message_that_is_not_a_repair_request_throws_for_the_poison_queue()
    {
        IRepairHandler handler = Handler();
        await Assert.ThrowsAsync<FormatException>(() => handler.HandleMessageAsync("{\"hello\":1}", CancellationToken.None));
        await Assert.ThrowsAsync<FormatException>(() => handler.HandleMessageAsync("not json", CancellationToken.None));
    }
}
