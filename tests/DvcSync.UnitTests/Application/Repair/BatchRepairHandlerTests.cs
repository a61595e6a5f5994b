using System.Text.Json.Nodes;
using DvcSync.Application.Repair;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DvcSync.UnitTests.Application.Repair;

/// <summary>The repair of a batch over a portal that applies each call atomically and names its offenders.</summary>
public class BatchRepairHandlerTests
{
    private const string Agency = "000.00.19.H19";
    private readonly HandlerFixture _f = new();
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private readonly List<(bool IsUpdating, int Count)> _calls = [];

    public BatchRepairHandlerTests() =>
        _f.Portal.Setup(p => p.GetProcedureAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ProcedureLookupResult(PortalOutcomeKind.Accepted, true, ""));

    private RepairHandler Handler() => new(_f.Provincial.Object, _f.Portal.Object, _f.Ledger.Object, _f.Queue.Object,
        new ProcedureCatalogue(_f.Portal.Object, _f.Clock), _f.Options, _f.Clock, NullLogger<RepairHandler>.Instance);

    private RepairRequest Dossier(string suffix, int attempt = 0)
    {
        var source = new DossierBuilder().Code($"{Agency}-250115-{suffix}", Agency).Status(4).Version(2).Source();
        _f.SourceHas(source);
        _f.SourceHasSteps(source.MaHoSo, 3);
        return new RepairRequest(source.MaHoSo, Agency, 2, attempt, RepairReason.Missing);
    }

    /// <summary>Atomic: "-3" for an insert of a held dossier, "-4" for an update of one not held, "2"/"5" by code suffix.</summary>
    private void PortalIsAtomic()
    {
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<JsonObject> data, bool isUpdating, CancellationToken _) =>
            {
                lock (_calls) _calls.Add((isUpdating, data.Count));
                var errors = new List<PortalItemError>();
                foreach (var code in data.Select(d => DvcSync.Core.Dossiers.Dossier.ReadCode(d, "MaHoSo")!))
                {
                    if (code.EndsWith("INVAL", StringComparison.Ordinal)) errors.Add(new(code, PortalOutcomeKind.InvalidData, "field refused"));
                    else if (code.EndsWith("FINAL", StringComparison.Ordinal)) errors.Add(new(code, PortalOutcomeKind.FinalStateConflict, "final state"));
                    else if (!isUpdating && _held.Contains(code)) errors.Add(new(code, PortalOutcomeKind.AlreadyExists, "exists"));
                    else if (isUpdating && !_held.Contains(code)) errors.Add(new(code, PortalOutcomeKind.NotFound, "not found"));
                }
                if (errors.Count > 0) return new PortalWriteResult(errors[0].Kind, "refused", errors);
                foreach (var d in data) _held.Add(DvcSync.Core.Dossiers.Dossier.ReadCode(d, "MaHoSo")!);
                return PortalWriteResult.Success;
            });
        _f.Portal.Setup(p => p.AppendStepsAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<CancellationToken>())).ReturnsAsync(PortalWriteResult.Success);
    }

    [Theory]
    [InlineData(false, new[] { "20250116080000", "20250117090000" })]
    [InlineData(true, new[] { "20250115080000", "20250116080000", "20250117090000" })]
    public async Task Only_the_steps_since_the_version_the_portal_was_confirmed_to_hold_are_sent_unless_forced(bool force, string[] expected)
    {
        PortalIsAtomic();
        // Version 1 changed at 2025-01-16 08:00 and was confirmed on the portal; version 2 added the step of the 17th.
        var v1 = new DossierBuilder().Code($"{Agency}-250115-STEPS", Agency).Status(2).Version(1).With("NgayCapNhat", "20250116080000").Source();
        _f.Store(LedgerEntry.For(v1, HandlerFixture.Now).Confirmed(HandlerFixture.Now));
        _held.Add(v1.MaHoSo);
        var v2 = new DossierBuilder().Code(v1.MaHoSo, Agency).Status(4).Version(2).With("NgayCapNhat", "20250117090000").Source();
        _f.SourceHas(v2);
        _f.Provincial.Setup(p => p.GetStepsAsync(v1.MaHoSo, It.IsAny<CancellationToken>())).ReturnsAsync(
            new[] { ("20250115080000", "1"), ("20250116080000", "2"), ("20250117090000", "4") }
                .Select(s => new JsonObject { ["MaHoSo"] = v1.MaHoSo, ["ThoiDiemXuLy"] = s.Item1, ["TrangThai"] = s.Item2 }).ToList());
        var sent = new List<string>();
        _f.Portal.Setup(p => p.AppendStepsAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<JsonObject> steps, CancellationToken _) => sent.AddRange(steps.Select(st => (string)st["ThoiDiemXuLy"]!)))
            .ReturnsAsync(PortalWriteResult.Success);

        var outcome = await ((IRepairHandler)Handler()).HandleAsync(new RepairRequest(v1.MaHoSo, Agency, 2, 0, RepairReason.Stale, force), CancellationToken.None);

        Assert.Equal(RepairOutcome.Synced, outcome);
        Assert.Equal(expected, sent);
        Assert.Equal(v2.NgayCapNhat, _f.Entry(v1.MaHoSo)!.StepsSentUpTo); // the next repair sends only what comes after version 2
    }

    [Fact]
    public async Task A_batch_with_every_kind_of_offender_converges_in_few_calls()
    {
        PortalIsAtomic();
        RepairRequest[] requests = [Dossier("00001"), Dossier("00002"), Dossier("EXIST"), Dossier("INVAL"), Dossier("FINAL"), Dossier("GONE1")];
        _held.Add(requests[2].MaHoSo);
        // The ledger believes GONE1 is held: it goes as an update and comes back "-4".
        _f.Store(LedgerEntry.For(new DossierBuilder().Code(requests[5].MaHoSo, Agency).Status(4).Version(1).Source(), HandlerFixture.Now) with { PortalHolds = true });

        var outcomes = await Handler().HandleBatchAsync(requests, CancellationToken.None);

        Assert.Equal([RepairOutcome.Synced, RepairOutcome.Synced, RepairOutcome.Synced, RepairOutcome.Rejected, RepairOutcome.Rejected, RepairOutcome.Synced], outcomes);
        Assert.Equal(SyncState.Synced, _f.Entry(requests[2].MaHoSo)!.State);
        Assert.Contains("field refused", _f.Entry(requests[3].MaHoSo)!.LastError);
        Assert.Contains("final state", _f.Entry(requests[4].MaHoSo)!.LastError);
        Assert.True(_f.Entry(requests[4].MaHoSo)!.PortalHolds);
        Assert.Contains(requests[5].MaHoSo, _held);
        Assert.InRange(_calls.Count, 2, 5);
        // Six dossiers of three steps: 18 steps in shared calls of ten, not one call per dossier.
        _f.Portal.Verify(p => p.AppendStepsAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    [Fact]
    public async Task A_batchs_conclusions_are_saved_together_and_one_that_moved_on_is_concluded_again_on_its_own()
    {
        PortalIsAtomic();
        RepairRequest[] requests = [Dossier("00001"), Dossier("00002"), Dossier("00003")];
        // Someone else writes the first entry just before the batch's save: only that one is read again and saved alone.
        var first = new DossierBuilder().Code(requests[0].MaHoSo, Agency).Status(4).Version(2).Source();
        _f.WriteConcurrentlyBeforeNextSaves(1, stored => (stored ?? LedgerEntry.For(first, HandlerFixture.Now)) with { State = SyncState.Pending });

        var outcomes = await Handler().HandleBatchAsync(requests, CancellationToken.None);

        Assert.Equal([RepairOutcome.Synced, RepairOutcome.Synced, RepairOutcome.Synced], outcomes);
        Assert.All(requests, r => Assert.Equal(SyncState.Synced, _f.Entry(r.MaHoSo)!.State));
        _f.Ledger.Verify(l => l.SaveManyAsync(It.Is<IReadOnlyList<LedgerChange>>(c => c.Count == 3), It.IsAny<CancellationToken>()), Times.Once);
        _f.Ledger.Verify(l => l.SaveAsync(It.IsAny<LedgerEntry?>(), It.IsAny<LedgerEntry>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_batch_that_fails_transiently_schedules_each_dossier_on_its_own_attempt_count()
    {
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 503", []));
        RepairRequest[] requests = [Dossier("00001"), Dossier("00002", attempt: 3)];
        _f.Store(LedgerEntry.For(new DossierBuilder().Code(requests[1].MaHoSo, Agency).Status(4).Version(2).Source(), HandlerFixture.Now)
            with { State = SyncState.Retrying, Attempts = 3, FailingSince = HandlerFixture.Now.AddMinutes(-20) });

        var outcomes = await Handler().HandleBatchAsync(requests, CancellationToken.None);

        Assert.Equal([RepairOutcome.RetryScheduled, RepairOutcome.RetryScheduled], outcomes);
        _f.Portal.Verify(p => p.SyncDossiersAsync(It.Is<IReadOnlyList<JsonObject>>(d => d.Count == 2), false, It.IsAny<CancellationToken>()), Times.Once);
        var attempts = _f.Enqueued.ToDictionary(e => e.Request.MaHoSo, e => e.Request.Attempt);
        Assert.Equal(1, attempts[requests[0].MaHoSo]);
        Assert.Equal(4, attempts[requests[1].MaHoSo]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_error_of_a_shared_call_that_quotes_another_dossiers_applicant_is_kept_without_the_name(bool inTheSteps)
    {
        string[] applicants = ["NGUYỄN VĂN AN", "TRẦN THỊ BÌNH"];
        var requests = applicants.Select((name, k) =>
        {
            var source = new DossierBuilder().Code($"{Agency}-250115-0000{k + 1}", Agency).Status(4).Version(2).With("ChuHoSo", name).Source();
            _f.SourceHas(source);
            _f.SourceHasSteps(source.MaHoSo, 1);
            return new RepairRequest(source.MaHoSo, Agency, 2, 0, RepairReason.Missing);
        }).ToArray();
        // The portal quotes the second dossier's applicant in an answer to a call that carried both.
        var quoting = new PortalWriteResult(PortalOutcomeKind.Transient, $"error_code 99: Lỗi hệ thống (chủ hồ sơ {applicants[1]})", []);
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(inTheSteps ? PortalWriteResult.Success : quoting);
        _f.Portal.Setup(p => p.AppendStepsAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<CancellationToken>())).ReturnsAsync(quoting);

        var outcomes = await Handler().HandleBatchAsync(requests, CancellationToken.None);

        Assert.Equal([RepairOutcome.RetryScheduled, RepairOutcome.RetryScheduled], outcomes);
        var errors = requests.Select(r => _f.Saved.Last(e => e.MaHoSo == r.MaHoSo).LastError ?? "").ToList();
        Assert.All(errors, error => Assert.Contains("error_code 99: Lỗi hệ thống", error));
        Assert.All(errors, error => Assert.DoesNotContain("BÌNH", error, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_batch_deferred_by_an_outage_comes_back_as_one_message_no_sooner_than_any_of_its_dossiers_waits()
    {
        // After the outage the backlog is these messages: one per dossier would be repaired one dossier per call.
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalWriteResult(PortalOutcomeKind.CircuitOpen, "circuit open", [], TimeSpan.FromSeconds(30)));
        var requests = Enumerable.Range(1, 20).Select(n => Dossier($"{n:00000}")).ToArray();

        var outcomes = await Handler().HandleBatchAsync(requests, CancellationToken.None);

        Assert.All(outcomes, o => Assert.Equal(RepairOutcome.Deferred, o));
        var message = Assert.Single(_f.BatchMessages);
        Assert.Equal(requests.Select(r => r.MaHoSo).Order(), message.Select(r => r.MaHoSo).Order());
        _f.Queue.Verify(q => q.EnqueueAsync(It.IsAny<RepairRequest>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()), Times.Never);
        // Each dossier's own wait is the circuit's 30 s plus a spread; the message waits for the longest of them.
        var wait = _f.Enqueued.Select(e => e.Delay).Distinct().Single();
        Assert.InRange(wait, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60));
        Assert.All(requests, r => Assert.True(_f.Entry(r.MaHoSo)!.NextAttemptAt <= HandlerFixture.Now + wait));
    }

    [Fact]
    public async Task Retries_of_a_batch_travel_in_one_message_per_attempt_count()
    {
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalWriteResult(PortalOutcomeKind.Transient, "HTTP 503", []));
        var first = Enumerable.Range(1, 4).Select(n => Dossier($"{n:00000}")).ToArray();
        var third = Enumerable.Range(5, 3).Select(n => Dossier($"{n:00000}", attempt: 2)).ToArray();
        foreach (var r in third)
            _f.Store(LedgerEntry.For(new DossierBuilder().Code(r.MaHoSo, Agency).Status(4).Version(2).Source(), HandlerFixture.Now)
                with { State = SyncState.Retrying, Attempts = 2, FailingSince = HandlerFixture.Now.AddMinutes(-5) });

        await Handler().HandleBatchAsync([.. first, .. third], CancellationToken.None);

        Assert.Equal(2, _f.BatchMessages.Count);
        Assert.Equal(first.Select(r => r.MaHoSo).Order(), _f.BatchMessages.Single(m => m[0].Attempt == 1).Select(r => r.MaHoSo).Order());
        Assert.Equal(third.Select(r => r.MaHoSo).Order(), _f.BatchMessages.Single(m => m[0].Attempt == 3).Select(r => r.MaHoSo).Order());
        // No dossier comes back before its own backoff: the message's wait is at least each entry's.
        Assert.All(_f.Enqueued, e => Assert.True(HandlerFixture.Now + e.Delay >= _f.Entry(e.Request.MaHoSo)!.NextAttemptAt));
    }

    [Fact]
    public async Task While_the_circuit_is_open_every_dossier_of_the_batch_is_deferred_without_an_attempt()
    {
        _f.Portal.Setup(p => p.SyncDossiersAsync(It.IsAny<IReadOnlyList<JsonObject>>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalWriteResult(PortalOutcomeKind.CircuitOpen, "circuit open", [], TimeSpan.FromSeconds(30)));
        RepairRequest[] requests = [Dossier("00001", attempt: 2), Dossier("00002")];

        var outcomes = await Handler().HandleBatchAsync(requests, CancellationToken.None);

        Assert.Equal([RepairOutcome.Deferred, RepairOutcome.Deferred], outcomes);
        Assert.All(_f.Enqueued, e => Assert.Equal(RepairReason.Deferred, e.Request.Reason));
        Assert.Equal(2, _f.Enqueued.Single(e => e.Request.MaHoSo == requests[0].MaHoSo).Request.Attempt);
        Assert.All(requests, r => Assert.Equal(0, _f.Entry(r.MaHoSo)!.Attempts));
    }
}
