using System.Runtime.CompilerServices;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DvcSync.UnitTests.Application.Reconciliation;

/// <summary>The pipeline shared by the reconciliation and the audit: order of checkpoints, batching, streaming, failure.</summary>
public class DossierCheckPipelineTests
{
    private readonly HandlerFixture _f = new();

    private DossierCheckPipeline Pipeline() =>
        new(_f.Portal.Object, _f.Ledger.Object, _f.Queue.Object, _f.Options, _f.Clock, NullLogger<DossierCheckPipeline>.Instance);

    private static SourceDossier Dossier(int n, string agency = "000.00.19.H19") =>
        new DossierBuilder().Code($"{agency}-250115-{n:00000}", agency).Status(4).Version(1).Source();

    private static List<SourcePage> Pages(int pages, int perPage, Func<int, string>? agencyOf = null) =>
        Enumerable.Range(0, pages).Select(p => new SourcePage(
            Enumerable.Range(p * perPage, perPage).Select(n => Dossier(n, agencyOf?.Invoke(n) ?? "000.00.19.H19")).ToList(),
            p == pages - 1 ? null : $"cursor-{p + 1}", perPage)).ToList();

    private void PortalHoldsEverything(Func<string, Task>? before = null) =>
        _f.Portal.Setup(p => p.LookUpAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns(async (string maHoSo, CancellationToken _) =>
            {
                if (before is not null) await before(maHoSo);
                var source = Dossier(int.Parse(maHoSo[^5..]), maHoSo[..maHoSo.IndexOf('-')]);
                return PortalLookupResult.Found(PortalDossier.FromJson(new DossierBuilder().Code(source.MaHoSo, source.MaDonVi).Status(4).Version(1).Json()));
            });

    private static async IAsyncEnumerable<SourcePage> Stream(IEnumerable<SourcePage> pages, Action<int>? onRead = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var read = 0;
        foreach (var page in pages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            onRead?.Invoke(++read);
            await Task.Yield();
            yield return page;
        }
    }

    [Fact]
    public async Task Pages_are_reported_in_source_order_and_only_once_every_dossier_in_them_is_recorded()
    {
        var pages = Pages(4, 10);
        // The first page's dossiers answer last: the later pages finish first but must wait their turn.
        var firstPageHeld = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookedUp = 0;
        PortalHoldsEverything(async maHoSo =>
        {
            if (Interlocked.Increment(ref lookedUp) == 40) firstPageHeld.TrySetResult();
            if (int.Parse(maHoSo[^5..]) < 10) await firstPageHeld.Task;
        });
        var reported = new List<(string? Cursor, bool AllRecorded)>();

        await Pipeline().RunAsync(Stream(pages), (_, entry) => entry is null, page =>
        {
            lock (reported) reported.Add((page.NextCursor, page.Items.All(d => _f.Entry(d.MaHoSo) is { State: SyncState.Synced })));
            return Task.CompletedTask;
        }, new CheckCounters(), CancellationToken.None);

        Assert.Equal(["cursor-1", "cursor-2", "cursor-3", null], reported.Select(r => r.Cursor));
        Assert.All(reported, r => Assert.True(r.AllRecorded));
    }

    private sealed class Pace(int callsPerSecond, TimeSpan roundTrip) : IPortalPace
    {
        public int CallsPerSecond { get; } = callsPerSecond;
        public TimeSpan? TypicalRoundTrip { get; } = roundTrip;
    }

    [Fact]
    public async Task Without_a_cap_the_look_ups_in_flight_follow_the_portals_pace()
    {
        // 200 calls/s at 120 ms: ceil(200 × 0.12 × 1.5) + 4 = 40 workers, far above the old fixed 16.
        var pace = new Pace(200, TimeSpan.FromMilliseconds(120));
        var wanted = new LookupWorkerSizer(pace, LookupWorkerSizer.DefaultCap).Target();
        var inFlight = 0;
        var peak = 0;
        var allIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        PortalHoldsEverything(async _ =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (allIn) peak = Math.Max(peak, now);
            if (now >= wanted) allIn.TrySetResult();
            // Every look-up waits until the wanted number is in flight at once; a smaller pool never gets there.
            await allIn.Task.WaitAsync(TimeSpan.FromSeconds(20));
            Interlocked.Decrement(ref inFlight);
        });
        var pipeline = new DossierCheckPipeline(_f.Portal.Object, _f.Ledger.Object, _f.Queue.Object, _f.Options, _f.Clock,
            NullLogger<DossierCheckPipeline>.Instance, pace);

        await pipeline.RunAsync(Stream(Pages(2, 60)), (_, entry) => entry is null, _ => Task.CompletedTask, new CheckCounters(), CancellationToken.None);

        Assert.Equal(40, wanted);
        Assert.InRange(peak, wanted, LookupWorkerSizer.DefaultCap);
    }

    [Fact]
    public async Task Verdicts_are_written_in_batches_of_one_agency()
    {
        PortalHoldsEverything();
        var batches = new List<IReadOnlyList<LedgerChange>>();
        _f.Ledger.Setup(l => l.SaveManyAsync(It.IsAny<IReadOnlyList<LedgerChange>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<LedgerChange> changes, CancellationToken _) =>
            {
                lock (batches) batches.Add(changes);
                return changes.Select(c => new LedgerChangeResult(c, c.Next with { ETag = "saved" })).ToList();
            });
        var counters = new CheckCounters();

        await Pipeline().RunAsync(Stream(Pages(5, 40, n => n % 2 == 0 ? "000.00.19.H19" : "000.00.20.H19")), (_, entry) => entry is null,
            _ => Task.CompletedTask, counters, CancellationToken.None);

        Assert.Equal(200, batches.Sum(b => b.Count));
        Assert.All(batches, b => Assert.Single(b.Select(c => c.Next.MaDonVi).Distinct()));
        Assert.All(batches, b => Assert.InRange(b.Count, 1, DossierCheckPipeline.WriteBatchSize));
        Assert.True(batches.Count < 200 / 4, $"{batches.Count} writes for 200 verdicts");
        Assert.Equal(200, counters.Lookups);
        Assert.Equal(200, counters.Completed);
    }

    [Fact]
    public async Task The_source_is_read_only_a_few_pages_ahead_of_the_oldest_unfinished_one()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        PortalHoldsEverything(_ => release.Task);
        var pagesRead = 0;
        using var cts = new CancellationTokenSource();

        var running = Pipeline().RunAsync(Stream(Pages(200, 50), n => Volatile.Write(ref pagesRead, n)), (_, entry) => entry is null,
            _ => Task.CompletedTask, new CheckCounters(), cts.Token);
        // Every look-up is held: the pipeline fills its bounded buffers and then stops pulling from the source.
        for (var previous = -1; previous != Volatile.Read(ref pagesRead);)
        {
            previous = Volatile.Read(ref pagesRead);
            await Task.WhenAny(running, Task.Delay(200));
        }

        Assert.InRange(Volatile.Read(ref pagesRead), 1, 4);
        await cts.CancelAsync();
        release.TrySetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Theory]
    [InlineData(PortalOutcomeKind.CircuitOpen)]
    [InlineData(PortalOutcomeKind.ConfigurationError)]
    public async Task An_open_circuit_or_a_refusal_as_malformed_stops_the_pass_and_the_page_it_hit_is_not_reported_done(PortalOutcomeKind kind)
    {
        PortalHoldsEverything();
        var poisoned = Dossier(25).MaHoSo;
        _f.Portal.Setup(p => p.LookUpAsync(poisoned, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalLookupResult(kind, null, "circuit open or HTTP 400"));
        var reported = new List<string?>();

        await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => Pipeline().RunAsync(Stream(Pages(5, 10)), (_, entry) => entry is null,
            page =>
            {
                lock (reported) reported.Add(page.NextCursor);
                return Task.CompletedTask;
            }, new CheckCounters(), CancellationToken.None));

        // Page 3 (dossiers 20–29) holds the dossier that hit the open circuit: neither it nor a later page is done.
        Assert.DoesNotContain("cursor-3", reported);
        Assert.DoesNotContain("cursor-4", reported);
        Assert.Null(_f.Entry(poisoned));
    }

    [Fact]
    public async Task A_failed_look_up_quoting_the_applicant_is_recorded_without_them_and_every_repair_is_queued_with_a_code()
    {
        var missing = Dossier(1);
        var failed = Dossier(2);
        var stale = Dossier(3);
        _f.Portal.Setup(p => p.LookUpAsync(missing.MaHoSo, It.IsAny<CancellationToken>())).ReturnsAsync(PortalLookupResult.Found(null));
        _f.Portal.Setup(p => p.LookUpAsync(failed.MaHoSo, It.IsAny<CancellationToken>())).ReturnsAsync(
            new PortalLookupResult(PortalOutcomeKind.Transient, null, "the portal could not do it (error_code 99: Lỗi hệ thống khi tra cứu hồ sơ của NGUYỄN VĂN AN, 0901234567)"));
        _f.Portal.Setup(p => p.LookUpAsync(stale.MaHoSo, It.IsAny<CancellationToken>())).ReturnsAsync(
            PortalLookupResult.Found(PortalDossier.FromJson(new DossierBuilder().Code(stale.MaHoSo, stale.MaDonVi).Status(2).Version(1).Json())));

        await Pipeline().RunAsync(Stream([new SourcePage([missing, failed, stale], null, 3)]), (_, entry) => entry is null,
            _ => Task.CompletedTask, new CheckCounters(), CancellationToken.None);

        Assert.Equal("look-up failed: the portal could not do it (error_code 99: Lỗi hệ thống khi tra cứu hồ sơ của ***, ***)", _f.Entry(failed.MaHoSo)!.LastError);
        var reasons = _f.Enqueued.ToDictionary(e => e.Request.MaHoSo, e => e.Request.Reason);
        Assert.Equal(RepairReason.Missing, reasons[missing.MaHoSo]);
        Assert.Equal(RepairReason.LookupFailed, reasons[failed.MaHoSo]);
        Assert.Equal(RepairReason.Stale, reasons[stale.MaHoSo]);
    }
}
