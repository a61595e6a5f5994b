using DvcSync.Application.Reconciliation;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using DvcSync.Application.Configuration;
using DvcSync.UnitTests.Application.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DvcSync.UnitTests.Application.Reconciliation;

public class ReconcileHandlerTests
{
    private readonly HandlerFixture _f = new();
    private readonly List<DateTimeOffset> _watermarks = [];
    private ReconcileRun? _lastRun;

    public ReconcileHandlerTests()
    {
        _f.State.Setup(s => s.TryAcquireReconcileLeaseAsync(It.IsAny<string>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _f.State.Setup(s => s.ReleaseReconcileLeaseAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).Returns(Task.CompletedTask);
        _f.State.Setup(s => s.GetWatermarkAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new ReconcileWatermark(HandlerFixture.Now.AddHours(-1), "w"));
        _f.State.Setup(s => s.AdvanceWatermarkAsync(It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Callback((DateTimeOffset at, CancellationToken _) => _watermarks.Add(at)).Returns(Task.CompletedTask);
        _f.State.Setup(s => s.SaveRunAsync(It.IsAny<ReconcileRun>(), It.IsAny<CancellationToken>()))
            .Callback((ReconcileRun run, CancellationToken _) => _lastRun = run).Returns(Task.CompletedTask);
        _f.Ledger.Setup(l => l.GetInRepairAsync(It.IsAny<CancellationToken>())).Returns(AsyncEnumerable.Empty<LedgerEntry>());
        _f.Provincial.Setup(p => p.GetReceivedCountsAsync(It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DateOnly from, DateOnly _, CancellationToken _) => [new ReportedReceivedCount("000.00.19.H19", from, 3)]);
        _f.Ledger.Setup(l => l.RecordReportedCountsAsync(It.IsAny<IReadOnlyList<ReportedReceivedCount>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken _) => _recorded.Add((from, to, counts.Count)))
            .Returns(Task.CompletedTask);
        _f.Ledger.Setup(l => l.RepairRollupCopiesAsync(It.IsAny<CancellationToken>())).Callback(() => _rollupRepairs++).Returns(Task.CompletedTask);
    }

    private readonly List<(DateOnly From, DateOnly To, int Count)> _recorded = [];
    private int _rollupRepairs;

    [Fact]
    public async Task A_finished_run_copies_the_provincial_received_counts_of_the_last_month_and_its_window()
    {
        ProvincialChanges();
        await Handler().RunAsync(CancellationToken.None);

        var today = VnTime.Day(HandlerFixture.Now);
        Assert.Equal(today.AddDays(-31), _recorded.Min(r => r.From));
        Assert.Equal(today, _recorded.Max(r => r.To));
        Assert.Equal(1, _rollupRepairs);
    }

    [Fact]
    public async Task Idle_runs_every_few_seconds_read_one_provincial_page_each_call_no_portal_and_copy_counts_and_rollups_once_per_five_minutes()
    {
        ProvincialChanges(); // nothing changed: the strict portal mock fails on any call
        var handler = Handler();
        // The shipped period, 15 s: twenty-one runs span five minutes.
        for (var run = 0; run < 21; run++)
        {
            await handler.RunAsync(CancellationToken.None);
            _f.Clock.Now = _f.Clock.Now.AddSeconds(15);
        }

        _f.Provincial.Verify(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), null, It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Exactly(21));
        // The counts are copied by the first run and by the one five minutes later, not by the nineteen between.
        var copies = _f.Provincial.Invocations.Count(i => i.Method.Name == nameof(IProvincialSystem.GetReceivedCountsAsync));
        var copiesPerRun = copies / 2;
        Assert.Equal(2 * copiesPerRun, copies);
        Assert.Equal(2, _rollupRepairs);
        _f.Portal.VerifyNoOtherCalls();
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_pages_repairs_go_in_messages_of_up_to_the_repair_batch_size_whatever_their_agencies_an_agencys_side_by_side()
    {
        // 120 missing dossiers of three agencies on one page: three messages (50, 50, 20), not one per agency write of 16.
        var page = Enumerable.Range(1, 120).Select(n => new DossierBuilder()
            .Code($"000.00.{n % 3 + 10:00}.H19-250115-{n:00000}", $"000.00.{n % 3 + 10:00}.H19").Status(4).Version(1)
            .With("NgayCapNhat", "20250201090000").Source()).ToArray();
        ProvincialChanges(page);
        foreach (var dossier in page) PortalHolds(dossier.MaHoSo, null);

        await Handler().RunAsync(CancellationToken.None);

        Assert.Equal(120, _f.Enqueued.Count);
        Assert.Equal([20, 50, 50], _f.Batches.Order());
        // Forty of each agency, interleaved on the page (unsorted, every message would hold all three): each agency in as
        // few messages as its share allows, so that a message's conclusions are few ledger transactions, one per agency.
        Assert.Equal(5, _f.BatchMessages.Sum(m => m.Select(r => r.MaDonVi).Distinct().Count()));
    }

    private DvcSync.Application.Telemetry.FreshnessWindow? _freshness;

    private ReconcileHandler Handler(SyncOptions? options = null, ILogger<ReconcileHandler>? logger = null) => new(_f.Provincial.Object,
        new DossierCheckPipeline(_f.Portal.Object, _f.Ledger.Object, _f.Queue.Object, options ?? _f.Options, _f.Clock, NullLogger<DossierCheckPipeline>.Instance, null, _freshness),
        _f.Ledger.Object, _f.Queue.Object, _f.State.Object, options ?? _f.Options, _f.Clock, logger ?? NullLogger<ReconcileHandler>.Instance);

    private void ProvincialChanges(params SourceDossier[] items) =>
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), null, It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangedDossiersPage(items, null));

    private void PortalHolds(string maHoSo, DossierBuilder? copy) =>
        _f.Portal.Setup(p => p.LookUpAsync(maHoSo, It.IsAny<CancellationToken>()))
            .ReturnsAsync(PortalLookupResult.Found(copy is null ? null : PortalDossier.FromJson(copy.Json())));

    private static SourceDossier Dossier(int n, int status = 4, long version = 1, string? changed = null) =>
        new DossierBuilder().Code($"000.00.19.H19-250115-{n:00000}", "000.00.19.H19").Status(status).Version(version)
            .With("NgayCapNhat", changed ?? "20250116080000").Source();

    private static SyncOptions OptionsWith(string key, string value) =>
        Settings.Sync(new Dictionary<string, string?> { ["Sync:HistoryFrom"] = "2025-01-01", [key] = value });

    [Fact(Timeout = 30_000)]
    public async Task A_cursor_that_repeats_ends_the_pass_there_with_the_problem_recorded_and_the_watermark_at_the_last_checkpoint()
    {
        var first = new[] { Dossier(1, changed: "20250201091000"), Dossier(2, changed: "20250201092000") };
        var second = new[] { Dossier(3, changed: "20250201093000") };
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), null, It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangedDossiersPage(first, "cursor-1"));
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), "cursor-1", It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangedDossiersPage(second, "cursor-1"));
        foreach (var dossier in first.Concat(second)) PortalHolds(dossier.MaHoSo, new DossierBuilder().Code(dossier.MaHoSo, dossier.MaDonVi));
        var logger = new RecordingLogger<ReconcileHandler>();

        var run = await Handler(logger: logger).RunAsync(CancellationToken.None);

        _f.Provincial.Verify(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), "cursor-1", It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(2, run!.DossiersChecked); // the page with the repeated cursor is left for the next run
        Assert.NotNull(run.FinishedAt);        // the run ends, its sweep done...
        Assert.Contains("cursor it had given before", run.Error); // ...with the problem for /api/health
        Assert.Equal(new DateTimeOffset(2025, 2, 1, 9, 20, 0, TimeSpan.FromHours(7)), _watermarks.Max()); // the last checkpoint, not the window's end
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("cursor it had given before"));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("cursor-1")); // the provincial system's cursor is not echoed
    }

    [Fact(Timeout = 60_000)]
    public async Task A_run_out_of_budget_takes_no_new_page_lets_those_in_flight_checkpoint_sweeps_and_saves_its_progress()
    {
        // A source too long to read in the budget: page n holds dossier n, changed n seconds after the window opens.
        var windowFrom = HandlerFixture.Now.AddHours(-1) - _f.Options.ReconcileOverlap;
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<string?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DateTimeOffset _, DateTimeOffset _, string? cursor, int _, CancellationToken _) =>
            {
                var n = cursor is null ? 1 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
                var changed = VnTime.Format(windowFrom.AddSeconds(n));
                return new ChangedDossiersPage([Dossier(n, changed: changed)], n < 3000 ? (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
            });
        _f.Portal.Setup(p => p.LookUpAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string code, CancellationToken _) => PortalLookupResult.Found(PortalDossier.FromJson(new DossierBuilder().Code(code, "000.00.19.H19").Json())));
        var lost = _f.Store(LedgerEntry.For(Dossier(9999), HandlerFixture.Now.AddHours(-2)) with { NextAttemptAt = HandlerFixture.Now.AddHours(-1) });
        _f.Ledger.Setup(l => l.GetInRepairAsync(It.IsAny<CancellationToken>())).Returns(new[] { lost }.ToAsyncEnumerable());

        var run = await Handler().RunSliceAsync(TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Null(run!.FinishedAt);               // not the end of its window...
        Assert.Null(run.Error);                     // ...and nothing wrong: the budget is the plan
        Assert.NotNull(run.ReadUpTo);
        Assert.True(run.ReadUpTo < run.WindowTo);
        Assert.Equal(run.ReadUpTo, _watermarks.Max()); // the watermark at its last checkpoint, never the window's end
        Assert.Same(run, _lastRun);                 // saved with its progress
        // The pages in flight when the budget ran out were checked to the end and checkpointed: nothing recorded lies
        // beyond the last checkpoint.
        var recorded = _f.Saved.Where(e => e.MaHoSo != lost.MaHoSo).Select(e => int.Parse(e.MaHoSo[^5..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(recorded);
        Assert.Equal(VnTime.Format(run.ReadUpTo!.Value), VnTime.Format(windowFrom.AddSeconds(recorded.Max())));
        Assert.Equal(recorded.Count, run.DossiersChecked);
        // The sweep and the roll-up copies still ran.
        Assert.Contains(_f.Enqueued, e => e.Request.MaHoSo == lost.MaHoSo && e.Request.Reason.StartsWith("requeued", StringComparison.Ordinal));
        Assert.Equal(1, _rollupRepairs);
    }

    [Fact]
    public async Task A_page_holding_more_dossiers_than_the_limit_is_checked_whole_and_logged()
    {
        var page = Enumerable.Range(1, 5).Select(n => Dossier(n)).ToArray();
        ProvincialChanges(page);
        foreach (var dossier in page) PortalHolds(dossier.MaHoSo, null);
        var logger = new RecordingLogger<ReconcileHandler>();

        var run = await Handler(OptionsWith("Sync:PageSize", "2"), logger).RunAsync(CancellationToken.None);

        Assert.Equal(5, run!.DossiersChecked);
        Assert.Equal(page.Select(d => d.MaHoSo).Order(), _f.Enqueued.Select(e => e.Request.MaHoSo).Order());
        Assert.Null(run.Error);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("at most 2 changed dossiers with 5"));
    }

    [Fact]
    public async Task Missing_and_stale_dossiers_are_recorded_and_queued_current_ones_confirmed()
    {
        var missing = Dossier(1);
        var stale = Dossier(2, status: 4);
        var current = Dossier(3);
        ProvincialChanges(missing, stale, current);
        PortalHolds(missing.MaHoSo, null);
        PortalHolds(stale.MaHoSo, new DossierBuilder().Code(stale.MaHoSo, stale.MaDonVi).Status(2));
        PortalHolds(current.MaHoSo, new DossierBuilder().Code(current.MaHoSo, current.MaDonVi));

        var run = await Handler().RunAsync(CancellationToken.None);

        Assert.Equal([missing.MaHoSo, stale.MaHoSo], _f.Enqueued.Select(e => e.Request.MaHoSo).Order());
        Assert.Equal(SyncState.Pending, _f.Entry(missing.MaHoSo)!.State);
        Assert.False(_f.Entry(missing.MaHoSo)!.PortalHolds);
        Assert.Equal(SyncState.Pending, _f.Entry(stale.MaHoSo)!.State);
        Assert.True(_f.Entry(stale.MaHoSo)!.PortalHolds);
        Assert.Contains("TrangThaiHoSo 2 on the portal, 4 at the source", _f.Entry(stale.MaHoSo)!.LastError);
        Assert.Equal(SyncState.Synced, _f.Entry(current.MaHoSo)!.State);
        Assert.Equal(3, run!.PortalLookups);
        Assert.Equal(2, run.MismatchesFound);
        Assert.NotNull(run.FinishedAt);
        Assert.Equal(HandlerFixture.Now, _watermarks.Max());
    }

    [Fact]
    public async Task A_look_up_that_finds_the_current_version_is_a_confirmation_whose_freshness_counts_once()
    {
        _freshness = new DvcSync.Application.Telemetry.FreshnessWindow(_f.Clock);
        // Changed 25 s before this run; the missing one is not confirmed yet, so it has no freshness.
        var current = Dossier(3, changed: VnTime.Format(HandlerFixture.Now.AddSeconds(-25)));
        var missing = Dossier(4, changed: VnTime.Format(HandlerFixture.Now.AddSeconds(-25)));
        ProvincialChanges(current, missing);
        PortalHolds(current.MaHoSo, new DossierBuilder().Code(current.MaHoSo, current.MaDonVi));
        PortalHolds(missing.MaHoSo, null);
        var handler = Handler();

        await handler.RunAsync(CancellationToken.None);
        await handler.RunAsync(CancellationToken.None); // the overlap reads it again: the ledger vouches for it, no second count

        var figures = _freshness.Figures();
        Assert.Equal(1, figures.Count);
        Assert.Equal(25, figures.MaxSeconds!.Value, 3);
    }

    [Fact]
    public async Task A_page_whose_last_change_time_reads_as_no_date_is_checkpointed_at_the_one_before_it()
    {
        var dated = new DossierBuilder().Code("000.00.19.H19-250115-00001", "000.00.19.H19").With("NgayCapNhat", "20250201090000").Source();
        var undated = new DossierBuilder().Code("000.00.19.H19-250115-00002", "000.00.19.H19").Status(2)
            .With("NgayTiepNhan", "00010101000000").With("NgayHenTra", "00010101000000").With("NgayCapNhat", "00010101000000").Source();
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), null, It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangedDossiersPage([dated, undated], "page-2"));
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), "page-2", It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChangedDossiersPage([], null));
        PortalHolds(dated.MaHoSo, null);
        PortalHolds(undated.MaHoSo, null);

        var run = await Handler().RunAsync(CancellationToken.None);

        Assert.NotNull(run!.FinishedAt);
        Assert.Equal(new DateTimeOffset(2025, 2, 1, 9, 0, 0, VnTime.Offset), _watermarks[0]);
        // Checked and queued as it is; recorded without a received day.
        Assert.Contains(_f.Enqueued, e => e.Request.MaHoSo == undated.MaHoSo);
        Assert.Null(_f.Entry(undated.MaHoSo)!.NgayTiepNhan);
    }

    [Fact]
    public async Task A_dossier_the_ledger_already_vouches_for_costs_no_portal_call()
    {
        var known = Dossier(1, version: 5);
        _f.Store(LedgerEntry.For(known, HandlerFixture.Now).Confirmed(HandlerFixture.Now));
        ProvincialChanges(known);

        var run = await Handler().RunAsync(CancellationToken.None);

        _f.Portal.VerifyNoOtherCalls();
        Assert.Equal(0, run!.PortalLookups);
        Assert.Empty(_f.Enqueued);
    }

    [Fact]
    public async Task A_new_version_of_a_confirmed_dossier_is_checked_again()
    {
        var changed = Dossier(1, status: 9, version: 6);
        var changedWithDate = new DossierBuilder().Code(changed.MaHoSo, changed.MaDonVi).Status(9).Version(6).With("NgayKetThucXuLy", "20250120100000").Source();
        _f.Store(LedgerEntry.For(Dossier(1, version: 5), HandlerFixture.Now).Confirmed(HandlerFixture.Now));
        ProvincialChanges(changedWithDate);
        PortalHolds(changed.MaHoSo, new DossierBuilder().Code(changed.MaHoSo, changed.MaDonVi));

        await Handler().RunAsync(CancellationToken.None);

        Assert.Single(_f.Enqueued);
        Assert.Equal(6, _f.Entry(changed.MaHoSo)!.PhienBan);
    }

    [Fact]
    public async Task The_same_dossier_twice_in_a_page_is_checked_once_at_its_newest_version()
    {
        ProvincialChanges(Dossier(1, version: 1), Dossier(1, version: 2));
        PortalHolds(Dossier(1).MaHoSo, null);

        await Handler().RunAsync(CancellationToken.None);

        var queued = Assert.Single(_f.Enqueued);
        Assert.Equal(2, queued.Request.PhienBan);
    }

    [Fact]
    public async Task A_failed_look_up_still_queues_a_repair_so_the_dossier_is_not_forgotten()
    {
        var dossier = Dossier(1);
        ProvincialChanges(dossier);
        _f.Portal.Setup(p => p.LookUpAsync(dossier.MaHoSo, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.Transient, null, "HTTP 503"));

        await Handler().RunAsync(CancellationToken.None);

        Assert.Single(_f.Enqueued);
        Assert.Contains("look-up failed", _f.Entry(dossier.MaHoSo)!.LastError);
    }

    [Fact]
    public async Task When_the_portal_circuit_opens_the_run_stops_without_queueing_repairs_or_passing_the_page()
    {
        var dossier = Dossier(1);
        ProvincialChanges(dossier);
        _f.Portal.Setup(p => p.LookUpAsync(dossier.MaHoSo, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.CircuitOpen, null, "circuit open", TimeSpan.FromSeconds(30)));

        await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => Handler().RunAsync(CancellationToken.None));
        Assert.Empty(_f.Enqueued);
        Assert.Empty(_f.Saved);
        Assert.Empty(_watermarks);
    }

    [Fact]
    public async Task A_run_that_cannot_take_the_lease_reads_nothing()
    {
        _f.State.Setup(s => s.TryAcquireReconcileLeaseAsync(It.IsAny<string>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(false);

        Assert.Null(await Handler().RunAsync(CancellationToken.None));
        _f.Provincial.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_lost_repair_is_queued_again_by_the_sweep()
    {
        var lost = _f.Store(LedgerEntry.For(Dossier(1), HandlerFixture.Now.AddHours(-2)) with { NextAttemptAt = HandlerFixture.Now.AddHours(-1) });
        var fresh = _f.Store(LedgerEntry.For(Dossier(2), HandlerFixture.Now) with { NextAttemptAt = HandlerFixture.Now.AddMinutes(-1) });
        _f.Ledger.Setup(l => l.GetInRepairAsync(It.IsAny<CancellationToken>())).Returns(new[] { lost, fresh }.ToAsyncEnumerable());
        ProvincialChanges();

        var run = await Handler().RunAsync(CancellationToken.None);

        Assert.Equal(lost.MaHoSo, Assert.Single(_f.Enqueued).Request.MaHoSo);
        Assert.Equal(1, run!.RepairsQueued);
    }

    [Fact]
    public async Task Lost_repairs_are_queued_again_in_batch_messages_an_agencys_side_by_side()
    {
        // After an outage the sweep finds thousands; one per message would repair them one dossier per portal call.
        var lost = Enumerable.Range(1, 120)
            .Select(n => _f.Store(LedgerEntry.For(Dossier(n), HandlerFixture.Now.AddHours(-2)) with { NextAttemptAt = HandlerFixture.Now.AddHours(-1) }))
            .ToList();
        _f.Ledger.Setup(l => l.GetInRepairAsync(It.IsAny<CancellationToken>())).Returns(lost.ToAsyncEnumerable());
        ProvincialChanges();

        var run = await Handler().RunAsync(CancellationToken.None);

        Assert.Equal([50, 50, 20], _f.Batches);
        Assert.Equal(lost.Select(e => e.MaHoSo).Order(), _f.BatchMessages.SelectMany(m => m).Select(r => r.MaHoSo).Order());
        Assert.All(_f.BatchMessages.SelectMany(m => m), r => Assert.Equal(RepairReason.Requeued, r.Reason));
        _f.Queue.Verify(q => q.EnqueueAsync(It.IsAny<RepairRequest>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Equal(120, run!.RepairsQueued);
    }

    [Fact]
    public async Task The_first_run_copies_the_whole_history_a_quarter_at_a_time()
    {
        _f.State.Setup(s => s.GetWatermarkAsync(It.IsAny<CancellationToken>())).ReturnsAsync((ReconcileWatermark?)null);
        ProvincialChanges();
        await Handler().RunAsync(CancellationToken.None);

        Assert.Equal(new DateOnly(2025, 1, 1), _recorded.Min(r => r.From));
        Assert.Equal(VnTime.Day(HandlerFixture.Now), _recorded.Max(r => r.To));
        Assert.All(_recorded, r => Assert.True(r.To.DayNumber - r.From.DayNumber < 93));
    }

    [Fact]
    public async Task A_failing_run_is_recorded_and_rethrown_and_the_lease_released()
    {
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), null, It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExternalSystemUnavailableException("provincial system", "HTTP 503"));

        await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => Handler().RunAsync(CancellationToken.None));
        Assert.Contains("HTTP 503", _lastRun!.Error);
        _f.State.Verify(s => s.ReleaseReconcileLeaseAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
    }
}
