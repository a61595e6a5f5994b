using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using DvcSync.Application.Configuration;
using DvcSync.Core.Comparison;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Reconciliation;

/// <summary>
/// The checks shared by the reconciliation and the audit, as a pipeline whose stages overlap: the next provincial
/// page is read while this one's dossiers are compared with the ledger and looked up on the portal (many at a time,
/// the rate gate deciding how fast), and verdicts are written to the ledger in batches per agency. Every channel
/// between the stages is bounded, so memory stays the same whatever the number of dossiers.
/// <para>
/// A page counts as done only when every dossier in it has been recorded (and its repair queued); pages are reported
/// done in source order, so a checkpoint taken in <c>onPageDone</c> never skips an unrecorded dossier. When a stage
/// fails (the portal's circuit opens, storage fails), the stages stop taking new work, verdicts already obtained
/// are still written, and the first failure is rethrown.
/// </para>
/// <para>
/// A page's repairs are queued together once all its verdicts are written, before its checkpoint, in messages of up
/// to <c>Sync:RepairBatchSize</c> dossiers whatever their agencies, an agency's side by side: the repair then sends a
/// cycle's stale dossiers in <c>DongBoHoSoMC</c> calls of up to 50 rather than one per agency's ledger write, and saves
/// a message's conclusions in one ledger transaction per agency it holds. Ledger before message still: a
/// run that stops on a failure queues the repairs of every verdict it wrote before it rethrows.
/// </para>
/// </summary>
public sealed class DossierCheckPipeline(
    INationalPortal portal,
    ISyncLedger ledger,
    IRepairQueue repairQueue,
    SyncOptions options,
    TimeProvider clock,
    ILogger<DossierCheckPipeline> logger,
    IPortalPace? pace = null,
    Telemetry.FreshnessWindow? freshness = null)
{
    private INationalPortal Portal => portal;
    private ISyncLedger Ledger => ledger;
    private IRepairQueue RepairQueue => repairQueue;
    private SyncOptions Options => options;
    private TimeProvider Clock => clock;
    private ILogger Logger => logger;
    private Telemetry.FreshnessWindow? Freshness => freshness;

    private int FixedWorkers => LookupWorkerSizer.FixedWorkers(options.LookupConcurrency);

    /// <summary>Most dossiers of one agency written in one batch.</summary>
    public const int WriteBatchSize = 16;

    /// <summary>How long a verdict may wait for others of its agency before it is written anyway.</summary>
    public static readonly TimeSpan WriteLinger = TimeSpan.FromMilliseconds(200);

    /// <param name="pages">The source, page by page; read one page ahead of the checks.</param>
    /// <param name="needsLookup">Whether the portal must be asked about this dossier, given its ledger entry.</param>
    /// <param name="onPageDone">Called in source order once every dossier of a page is recorded.</param>
    /// <param name="stopTaking">When it fires, no new page is read or handed out; the pages already handed out are
    /// checked, recorded and checkpointed, and a page read ahead is left for the next run (a time budget).</param>
    /// <returns>True when every page of the source was taken; false when <paramref name="stopTaking"/> cut it short.</returns>
    public async Task<bool> RunAsync(
        IAsyncEnumerable<SourcePage> pages,
        Func<SourceDossier, LedgerEntry?, bool> needsLookup,
        Func<SourcePage, Task> onPageDone,
        CheckCounters counters,
        CancellationToken cancellationToken,
        CancellationToken stopTaking = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sizer = LookupWorkerSizer.For(pace, options.LookupConcurrency);
        using var allowance = new WorkerAllowance(sizer?.Target() ?? FixedWorkers);
        var run = new Run(this, needsLookup, onPageDone, counters, stop, stopTaking, sizer, allowance);

        var reading = run.Guard(() => run.ReadAsync(pages));
        var dispatching = run.Guard(run.DispatchAsync);
        var workers = Enumerable.Range(0, sizer?.Cap ?? FixedWorkers).Select(_ => run.Guard(run.CheckAsync)).ToArray();
        var checking = Task.WhenAll(workers).ContinueWith(_ => run.Verdicts.Writer.TryComplete(), TaskScheduler.Default);
        var writing = run.Guard(run.WriteAsync);
        var checkpointing = run.Guard(run.CheckpointAsync);

        await Task.WhenAll(reading, dispatching, checking, writing, checkpointing);
        // Pages a failure left unfinished: the repairs of the verdicts they recorded are queued all the same.
        await run.QueueLeftOverRepairsAsync();
        run.ThrowIfFailed();
        cancellationToken.ThrowIfCancellationRequested();
        return !run.CutShort;
    }

    private sealed class PageWork(SourcePage page)
    {
        public SourcePage Page { get; } = page;
        public int Remaining;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The repairs its recorded verdicts call for, queued when the page is done (or the run stops).</summary>
        public List<RepairRequest> Repairs { get; } = [];

        public void CompleteOne()
        {
            if (Interlocked.Decrement(ref Remaining) == 0) Done.TrySetResult();
        }
    }

    private sealed record Item(SourceDossier Source, PageWork Page);

    /// <param name="Reason">Why it needs a repair, as the queue message says it (<see cref="RepairReason"/>).</param>
    private sealed record Verdict(Item Item, LedgerEntry? Previous, LedgerEntry Next, bool NeedsRepair, string Reason = RepairReason.Other)
    {
        /// <summary>Monotonic milliseconds: the linger is about this process's time, not the injected clock's.</summary>
        public long ReadyAt { get; } = Environment.TickCount64;
    }

    private sealed class Run(
        DossierCheckPipeline owner,
        Func<SourceDossier, LedgerEntry?, bool> needsLookup,
        Func<SourcePage, Task> onPageDone,
        CheckCounters counters,
        CancellationTokenSource stop,
        CancellationToken stopTaking,
        LookupWorkerSizer? sizer,
        WorkerAllowance allowance)
    {
        private ExceptionDispatchInfo? _failure;
        private volatile bool _cutShort;

        /// <summary>A page was left unread or untaken because <c>stopTaking</c> fired.</summary>
        public bool CutShort => _cutShort;

        public Channel<PageWork> Pages { get; } = Channel.CreateBounded<PageWork>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        public Channel<Item> Items { get; } = Channel.CreateBounded<Item>(new BoundedChannelOptions(2 * (sizer?.Cap ?? owner.FixedWorkers)) { SingleWriter = true });
        public Channel<Verdict> Verdicts { get; } = Channel.CreateBounded<Verdict>(new BoundedChannelOptions(WriteBatchSize * 8) { SingleReader = true });
        // Bounded too: a slow checkpoint (storage under load) holds the dispatcher back instead of piling up pages.
        // No deadlock: a page enters this channel before its dossiers are handed out, so the page the checkpoint
        // waits for is always already in the workers' hands.
        public Channel<PageWork> InOrder { get; } = Channel.CreateBounded<PageWork>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });

        private CancellationToken Token => stop.Token;

        /// <summary>Pages holding repairs not yet queued; a page leaves it when its repairs are.</summary>
        private readonly System.Collections.Concurrent.ConcurrentDictionary<PageWork, byte> _unqueued = new();

        public async Task Guard(Func<Task> stage)
        {
            try
            {
                await Task.Run(stage);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped because another stage failed or the caller cancelled; that is reported once, elsewhere.
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                await stop.CancelAsync();
            }
        }

        public void ThrowIfFailed() => _failure?.Throw();

        public async Task ReadAsync(IAsyncEnumerable<SourcePage> pages)
        {
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(Token, stopTaking);
            try
            {
                await foreach (var page in pages.WithCancellation(reading.Token))
                {
                    if (stopTaking.IsCancellationRequested)
                    {
                        _cutShort = true;
                        return;
                    }
                    Interlocked.Add(ref counters.Read, page.Read);
                    await Pages.Writer.WriteAsync(new PageWork(page), reading.Token);
                }
            }
            catch (OperationCanceledException) when (stopTaking.IsCancellationRequested && !Token.IsCancellationRequested)
            {
                _cutShort = true; // the budget ran out while a page was being read or queued: it is left for the next run
            }
            finally
            {
                Pages.Writer.TryComplete();
            }
        }

        public async Task DispatchAsync()
        {
            try
            {
                await foreach (var work in Pages.Reader.ReadAllAsync(Token))
                {
                    if (stopTaking.IsCancellationRequested)
                    {
                        // Read ahead but not handed out: never checkpointed, so the next run reads it again.
                        _cutShort = true;
                        break;
                    }
                    var items = Newest(work.Page.Items);
                    work.Remaining = items.Count + 1; // the extra one is released once every item is handed out
                    await InOrder.Writer.WriteAsync(work, Token);
                    foreach (var source in items) await Items.Writer.WriteAsync(new Item(source, work), Token);
                    work.CompleteOne();
                }
            }
            finally
            {
                Items.Writer.TryComplete();
                InOrder.Writer.TryComplete();
            }
        }

        /// <summary>A dossier that changed while the pages were read can appear twice; its newest version is the one to check.</summary>
        private List<SourceDossier> Newest(IReadOnlyList<SourceDossier> items)
        {
            var newest = new Dictionary<string, SourceDossier>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                if (item.MaHoSo.Length == 0 || item.MaDonVi.Length == 0)
                {
                    Interlocked.Increment(ref counters.Unreadable);
                    owner.Logger.LogWarning("A provincial dossier without MaHoSo or MaDonVi was skipped: it cannot be named to the portal ({Defects})",
                        string.Join("; ", item.Defects.Select(d => d.Field)));
                    continue;
                }
                if (!newest.TryGetValue(item.MaHoSo, out var seen) || seen.PhienBan < item.PhienBan) newest[item.MaHoSo] = item;
            }
            return newest.Values.ToList();
        }

        /// <summary>One worker: checks a dossier while it holds a permit, so that as many check at once as the sizer wants.</summary>
        public async Task CheckAsync()
        {
            while (true)
            {
                await allowance.WaitAsync(Token);
                try
                {
                    if (!await Items.Reader.WaitToReadAsync(Token)) return;
                    if (Items.Reader.TryRead(out var item)) await CheckOneAsync(item);
                }
                finally
                {
                    allowance.Release();
                }
            }
        }

        private async Task CheckOneAsync(Item item)
        {
            var started = Stopwatch.GetTimestamp();
            var entry = await owner.Ledger.GetAsync(item.Source.MaDonVi, item.Source.MaHoSo, Token);
            if (!needsLookup(item.Source, entry))
            {
                Interlocked.Increment(ref counters.Skipped);
                Complete(item);
                return;
            }
            var ledgerRead = Stopwatch.GetElapsedTime(started);
            var verdict = await LookUpAsync(item, entry, Token);
            var handedOver = Stopwatch.GetTimestamp();
            // Not cancellable: a verdict obtained is written even when the run is being stopped.
            await Verdicts.Writer.WriteAsync(verdict, CancellationToken.None);
            if (sizer is null) return;
            sizer.RecordOwnTime(ledgerRead + Stopwatch.GetElapsedTime(handedOver));
            allowance.Resize(sizer.Target());
        }

        private async Task<Verdict> LookUpAsync(Item item, LedgerEntry? entry, CancellationToken token)
        {
            var source = item.Source;
            Interlocked.Increment(ref counters.Checked);
            Interlocked.Increment(ref counters.Lookups);
            var lookup = await owner.Portal.LookUpAsync(source.MaHoSo, token);
            if (lookup.Kind is PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError)
            {
                // Checking on would turn every changed dossier into a repair of a dossier the portal may well hold.
                // Stop; the checkpoint keeps this page for the next run.
                throw new ExternalSystemUnavailableException("national portal", PersonalDataRedactor.For(source.Dossier).Redact(lookup.Message), lookup.RetryAfter);
            }
            var now = owner.Clock.GetUtcNow();
            var current = (entry ?? LedgerEntry.For(source, now)).AtVersionOf(source, now);

            if (!lookup.Succeeded)
            {
                // Could not look: let the repair find out. Its writes are safe on a dossier the portal already holds.
                // The portal's words may quote the applicant, whom only this dossier names.
                var failure = PersonalDataRedactor.For(source.Dossier).Redact(lookup.Message);
                var unknown = current with { State = SyncState.Pending, LastError = "look-up failed: " + failure, NextAttemptAt = now, UpdatedAt = now };
                return new Verdict(item, entry, unknown, true, RepairReason.LookupFailed);
            }

            var copy = PortalCopyComparer.Compare(source.Dossier, lookup.Dossier?.Dossier);
            if (copy.NeedsRepair && current.PhienBan == entry?.PhienBan && entry.State is SyncState.Rejected or SyncState.Abandoned)
            {
                // The repair already gave its verdict on this version; repeating the same write would get the same answer.
                var held = (entry with { PortalHolds = copy.PortalHoldsIt, PortalCopyLacksReceptionDate = copy.PortalHoldsIt && copy.CopyLacksReceptionDate, ConfirmedAt = copy.PortalHoldsIt ? now : entry.ConfirmedAt, UpdatedAt = now })
                    .HoldingCopy(lookup.Dossier?.Dossier);
                return new Verdict(item, entry, held, false);
            }
            return new Verdict(item, entry, current.Observed(copy, now).HoldingCopy(lookup.Dossier?.Dossier), copy.NeedsRepair,
                copy.State == PortalCopyState.Missing ? RepairReason.Missing : RepairReason.Stale);
        }

        /// <summary>Writes verdicts in batches per agency (<see cref="AgencyBatches"/>).</summary>
        public Task WriteAsync() =>
            AgencyBatches.WriteAsync(Verdicts.Reader, v => v.Item.Source.MaDonVi, v => v.ReadyAt, WriteBatchSize, WriteLinger, WriteBatchAsync);

        private async Task WriteBatchAsync(List<Verdict> batch)
        {
            // Not cancellable: once a verdict is in hand it is recorded, and a "pending" entry gets its message.
            var results = await owner.Ledger.SaveManyAsync(batch.Select(v => new LedgerChange(v.Previous, v.Next)).ToList(), CancellationToken.None);
            var saved = batch.Where((_, k) => !results[k].Conflicted).ToList();
            // Kept with the page before any is completed: the page's repairs are queued before its checkpoint.
            foreach (var verdict in saved.Where(v => v.NeedsRepair)) Keep(verdict.Item, Request(verdict.Item.Source, verdict.Reason));
            foreach (var verdict in saved)
            {
                Confirmed(verdict);
                Complete(verdict.Item);
            }
            for (var k = 0; k < batch.Count; k++)
                if (results[k].Conflicted) await CheckAgainAsync(batch[k].Item); // someone wrote first: decide again on what they wrote
        }

        private async Task CheckAgainAsync(Item item)
        {
            var entry = await owner.Ledger.GetAsync(item.Source.MaDonVi, item.Source.MaHoSo, CancellationToken.None);
            if (!needsLookup(item.Source, entry))
            {
                Complete(item);
                return;
            }
            var verdict = await LookUpAsync(item, entry, CancellationToken.None);
            // A second conflict means it moved on twice while we looked: whoever wrote is handling the dossier.
            var saved = await owner.Ledger.TrySaveAsync(new LedgerChange(verdict.Previous, verdict.Next), CancellationToken.None);
            if (!saved.Conflicted && verdict.NeedsRepair) Keep(item, Request(item.Source, verdict.Reason));
            if (!saved.Conflicted) Confirmed(verdict);
            Complete(item);
        }

        /// <summary>A look-up that found the current version, once recorded, is a confirmation: its freshness counts.</summary>
        private void Confirmed(Verdict verdict)
        {
            if (!verdict.NeedsRepair && verdict.Next is { State: SyncState.Synced, ConfirmedAt: { } at } && at != verdict.Previous?.ConfirmedAt)
                owner.Freshness?.Confirmed(verdict.Item.Source.NgayCapNhat, at);
        }

        private void Keep(Item item, RepairRequest repair)
        {
            Interlocked.Increment(ref counters.Mismatches);
            lock (item.Page.Repairs) item.Page.Repairs.Add(repair);
            _unqueued.TryAdd(item.Page, 0);
        }

        /// <summary>Queues a page's repairs, in messages of up to <c>Sync:RepairBatchSize</c>; once per page.</summary>
        private async Task QueueRepairsAsync(PageWork page)
        {
            if (!_unqueued.TryRemove(page, out _)) return;
            List<RepairRequest> repairs;
            lock (page.Repairs)
            {
                repairs = [.. page.Repairs];
                page.Repairs.Clear();
            }
            // Not cancellable: the ledger already says these dossiers wait for a repair.
            foreach (var chunk in repairs.InMessagesByAgency(owner.Options.RepairBatchSize))
            {
                await owner.RepairQueue.EnqueueBatchAsync(chunk, TimeSpan.Zero, CancellationToken.None);
                Interlocked.Add(ref counters.Queued, chunk.Length);
            }
        }

        public async Task QueueLeftOverRepairsAsync()
        {
            foreach (var page in _unqueued.Keys.ToList()) await QueueRepairsAsync(page);
        }

        private static RepairRequest Request(SourceDossier source, string reason) => new(source.MaHoSo, source.MaDonVi, source.PhienBan, 0, reason);
        private void Complete(Item item)
        {
            Interlocked.Increment(ref counters.Completed);
            item.Page.CompleteOne();
        }

        public async Task CheckpointAsync()
        {
            await foreach (var work in InOrder.Reader.ReadAllAsync(Token))
            {
                await work.Done.Task.WaitAsync(Token);
                await QueueRepairsAsync(work);
                await onPageDone(work.Page);
            }
        }
    }
}
