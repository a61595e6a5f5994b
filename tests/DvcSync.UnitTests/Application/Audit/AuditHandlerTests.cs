using DvcSync.Application.Audit;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DvcSync.UnitTests.Application.Audit;

/// <summary>
/// The audit's decisions over its ports: what a request records, that a run resumes from the page after its last
/// checkpoint, that a failure is recorded on the job for the next slice, and that it stays out of another holder's way.
/// </summary>
public class AuditHandlerTests
{
    private const string Agency = "000.00.19.H19";
    private static readonly DateTimeOffset Now = HandlerFixture.Now;
    private static readonly DateOnly From = new(2025, 1, 1);
    private static readonly DateOnly To = new(2025, 1, 31);
    private readonly HandlerFixture _f = new();
    private readonly InMemoryAuditStore _store = new();
    private readonly List<string?> _cursorsRead = [];

    public AuditHandlerTests()
    {
        _f.Provincial.Setup(p => p.GetReceivedCountsAsync(From, To, It.IsAny<CancellationToken>()))
            .ReturnsAsync([new ReportedReceivedCount(Agency, new DateOnly(2025, 1, 15), 30)]);
        _f.Provincial.Setup(p => p.GetAgenciesAsync(It.IsAny<CancellationToken>())).ReturnsAsync(Province.All);
        _f.Portal.Setup(p => p.LookUpAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string maHoSo, CancellationToken _) => PortalLookupResult.Found(PortalDossier.FromJson(Dossier(maHoSo).Json())));
    }

    private static DossierBuilder Dossier(string maHoSo) => new DossierBuilder().Code(maHoSo, Agency).Status(4).Version(1);

    /// <summary>The provincial changes as pages of ten dossiers received in the period, cursors "c1", "c2", …; the last page has none.</summary>
    private void ChangesArePages(int pages, Func<string?, Task<Exception?>>? failOn = null) =>
        _f.Provincial.Setup(p => p.GetChangedAsync(It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<string?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .Returns(async (DateTimeOffset _, DateTimeOffset _, string? cursor, int _, CancellationToken _) =>
            {
                lock (_cursorsRead) _cursorsRead.Add(cursor);
                if (failOn is not null && await failOn(cursor) is { } failure) throw failure;
                var page = cursor is null ? 0 : int.Parse(cursor[1..]);
                var items = Enumerable.Range(page * 10, 10).Select(n => Dossier($"{Agency}-250115-{n:00000}").Source()).ToList();
                return new ChangedDossiersPage(items, page == pages - 1 ? null : $"c{page + 1}");
            });

    private AuditHandler Handler() => new(
        _f.Provincial.Object,
        new DossierCheckPipeline(_f.Portal.Object, _f.Ledger.Object, _f.Queue.Object, _f.Options, _f.Clock, NullLogger<DossierCheckPipeline>.Instance),
        _store,
        Province.Directory(_f),
        new AuditTrigger(),
        _f.Options,
        _f.Clock,
        NullLogger<AuditHandler>.Instance);

    private AuditJob Active(string status = AuditStatus.Running, string? cursor = null, long pagesDone = 0, long done = 0) => _store.Put(new AuditJob
    {
        Id = "audit1",
        From = From,
        To = To,
        Status = status,
        RequestedAt = Now.AddHours(-1),
        ReadUpTo = Now.AddHours(-1),
        StartedAt = status == AuditStatus.Running ? Now.AddHours(-1) : null,
        Cursor = cursor,
        PagesDone = pagesDone,
        Done = done,
        Read = done,
        Total = 30,
    });

    [Fact]
    public async Task A_request_records_a_queued_audit_with_the_provincial_systems_received_count_as_its_total()
    {
        var job = await Handler().RequestAsync(new AuditRequest(From, To, null), CancellationToken.None);

        Assert.Equal((AuditStatus.Queued, 30L, Now), (job.Status, job.Total, job.ReadUpTo));
        Assert.Equal(job, _store.Job);
    }

    [Fact]
    public async Task A_request_for_an_agency_the_provincial_system_does_not_list_is_refused()
    {
        await Assert.ThrowsAsync<UnknownAgencyException>(() => Handler().RequestAsync(new AuditRequest(From, To, "000.00.99.H19"), CancellationToken.None));
        Assert.Null(_store.Job);
    }

    [Fact]
    public async Task While_an_audit_is_active_the_same_request_returns_it_and_another_conflicts()
    {
        var active = Active(AuditStatus.Queued);

        Assert.Equal(active, await Handler().RequestAsync(new AuditRequest(From, To, null), CancellationToken.None));
        var conflict = await Assert.ThrowsAsync<AuditConflictException>(() => Handler().RequestAsync(new AuditRequest(From, To.AddDays(-1), null), CancellationToken.None));
        Assert.Equal(active, _store.Job);
        Assert.NotNull(conflict);
    }

    [Fact]
    public async Task A_run_checks_every_page_and_finishes_with_what_it_checked()
    {
        Active(AuditStatus.Queued);
        ChangesArePages(3);

        var job = await Handler().RunAsync(CancellationToken.None);

        Assert.Equal((AuditStatus.Finished, 30L, 30L, 3L), (job!.Status, job.Done, job.Total, job.PagesDone));
        Assert.Equal([null, "c1", "c2"], _cursorsRead);
        Assert.Equal(30, _f.Saved.Count(e => e.State == SyncState.Synced));
        Assert.Null(_store.LeaseOwner);
    }

    [Fact]
    public async Task A_run_resumes_from_the_page_after_its_last_checkpoint()
    {
        Active(cursor: "c2", pagesDone: 2, done: 20);
        ChangesArePages(3);

        var job = await Handler().RunAsync(CancellationToken.None);

        Assert.Equal(["c2"], _cursorsRead);
        Assert.Equal((AuditStatus.Finished, 30L, 3L), (job!.Status, job.Done, job.PagesDone));
        Assert.Equal(10, _f.Saved.Count);
    }

    [Fact]
    public async Task A_failure_is_recorded_on_the_job_which_stays_active_to_resume_from_its_last_checkpoint()
    {
        Active(AuditStatus.Queued);
        // The third page fails to come once the first two are checkpointed (pages are read ahead of the checks).
        ChangesArePages(3, failOn: async cursor =>
        {
            if (cursor != "c2") return null;
            await _store.SavedAsync(j => j.PagesDone == 2).WaitAsync(TimeSpan.FromSeconds(30));
            return new ExternalSystemUnavailableException("provincial system", "503");
        });

        await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => Handler().RunAsync(CancellationToken.None));

        var job = _store.Job!;
        Assert.Equal((AuditStatus.Running, "c2", 2L, 20L), (job.Status, job.Cursor, job.PagesDone, job.Done));
        Assert.Contains("ExternalSystemUnavailableException", job.Error);
        Assert.Null(_store.LeaseOwner);

        _cursorsRead.Clear();
        ChangesArePages(3);
        var resumed = await Handler().RunAsync(CancellationToken.None);

        Assert.Equal(["c2"], _cursorsRead);
        Assert.Equal((AuditStatus.Finished, 30L, (string?)null), (resumed!.Status, resumed.Done, resumed.Error));
    }

    [Fact]
    public async Task While_another_process_holds_the_lease_the_job_is_left_alone()
    {
        var active = Active();
        _store.LeaseHeldElsewhere = true;

        Assert.Equal(active, await Handler().RunAsync(CancellationToken.None));
        Assert.Empty(_cursorsRead);
        Assert.Empty(_store.Saves);
    }

    [Fact]
    public async Task Without_an_active_audit_a_run_does_nothing()
    {
        Assert.Null(await Handler().RunAsync(CancellationToken.None));
        Assert.Empty(_cursorsRead);
    }

    [Fact]
    public async Task Cancelling_ends_the_active_audit_for_good_and_a_run_then_reads_nothing()
    {
        Active();

        var cancelled = await Handler().CancelAsync(CancellationToken.None);

        Assert.Equal((AuditStatus.Cancelled, Now), (cancelled!.Status, cancelled.FinishedAt));
        Assert.Equal(AuditStatus.Cancelled, (await Handler().RunAsync(CancellationToken.None))!.Status);
        Assert.Empty(_cursorsRead);
        Assert.Null(await Handler().CancelAsync(CancellationToken.None));
    }
}
