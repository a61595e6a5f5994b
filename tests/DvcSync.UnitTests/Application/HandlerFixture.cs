using DvcSync.Application.Configuration;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Core.Retry;
using DvcSync.UnitTests.Application.Configuration;
using Moq;

namespace DvcSync.UnitTests.Application;

/// <summary>The ports of a handler as mocks, with the saves and enqueues they received kept for assertions.</summary>
public sealed class HandlerFixture
{
    public static readonly DateTimeOffset Now = new(2025, 2, 1, 10, 0, 0, TimeSpan.FromHours(7));

    public Mock<IProvincialSystem> Provincial { get; } = new(MockBehavior.Strict);
    public Mock<INationalPortal> Portal { get; } = new(MockBehavior.Strict);
    public Mock<ISyncLedger> Ledger { get; } = new(MockBehavior.Strict);
    public Mock<IRepairQueue> Queue { get; } = new(MockBehavior.Strict);
    public Mock<IPipelineState> State { get; } = new(MockBehavior.Strict);
    public FixedClock Clock { get; } = new(Now);
    public List<LedgerEntry> Saved { get; } = [];
    public List<(RepairRequest Request, TimeSpan Delay)> Enqueued { get; } = [];
    private readonly Dictionary<string, LedgerEntry> _entries = new();
    private readonly Queue<Func<LedgerEntry?, LedgerEntry>> _concurrentWrites = new();

    public SyncOptions Options { get; } = Settings.Sync(new Dictionary<string, string?>
    {
        ["Sync:HistoryFrom"] = "2025-01-01",
        ["Sync:RetryBaseSeconds"] = "10",
        ["Sync:RetryMaxMinutes"] = "5",
        ["Sync:GiveUpHours"] = "24",
    });

    public HandlerFixture()
    {
        Ledger.Setup(l => l.GetAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((string _, string maHoSo, CancellationToken _) => _entries.GetValueOrDefault(maHoSo));
        Ledger.Setup(l => l.SaveAsync(It.IsAny<LedgerEntry?>(), It.IsAny<LedgerEntry>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((LedgerEntry? previous, LedgerEntry next, CancellationToken _) =>
                Save(previous, next) ?? throw new LedgerConflictException(next.MaHoSo));
        Ledger.Setup(l => l.SaveManyAsync(It.IsAny<IReadOnlyList<LedgerChange>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<LedgerChange> changes, CancellationToken _) =>
                changes.Select(c => new LedgerChangeResult(c, Save(c.Previous, c.Next))).ToList());
        Queue.Setup(q => q.EnqueueAsync(It.IsAny<RepairRequest>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((RepairRequest request, TimeSpan delay, CancellationToken _) =>
            {
                lock (Enqueued)
                {
                    Enqueued.Add((request, delay));
                    return "msg-" + Enqueued.Count;
                }
            });
        Queue.Setup(q => q.EnqueueBatchAsync(It.IsAny<IReadOnlyList<RepairRequest>>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<RepairRequest> requests, TimeSpan delay, CancellationToken _) =>
            {
                lock (Enqueued)
                {
                    Batches.Add(requests.Count);
                    BatchMessages.Add(requests);
                    Enqueued.AddRange(requests.Select(r => (r, delay)));
                    return "msg-" + Enqueued.Count;
                }
            });
    }

    /// <summary>The size of every batch message queued.</summary>
    public List<int> Batches { get; } = [];

    /// <summary>Every batch message queued, in the order queued.</summary>
    public List<IReadOnlyList<RepairRequest>> BatchMessages { get; } = [];

    /// <summary>
    /// Before each of the next saves, someone else (a reconciliation, another repair) writes the entry first: what
    /// <paramref name="write"/> makes of the stored entry is stored with a new ETag, so that save conflicts as the
    /// real store's would.
    /// </summary>
    public void WriteConcurrentlyBeforeNextSaves(int count, Func<LedgerEntry?, LedgerEntry> write)
    {
        lock (_entries)
            for (var i = 0; i < count; i++) _concurrentWrites.Enqueue(write);
    }

    /// <summary>The store's rule: saved only over the entry it was read from; null when that entry moved on.</summary>
    private LedgerEntry? Save(LedgerEntry? previous, LedgerEntry next)
    {
        lock (_entries)
        {
            if (_concurrentWrites.TryDequeue(out var concurrent))
                _entries[next.MaHoSo] = concurrent(_entries.GetValueOrDefault(next.MaHoSo)) with { ETag = Guid.NewGuid().ToString() };
            var stored = _entries.GetValueOrDefault(next.MaHoSo);
            if (stored?.ETag != previous?.ETag) return null;
            var saved = next with { ETag = Guid.NewGuid().ToString() };
            _entries[next.MaHoSo] = saved;
            Saved.Add(saved);
            return saved;
        }
    }

    public LedgerEntry Store(LedgerEntry entry)
    {
        var stored = entry with { ETag = "etag-" + entry.MaHoSo };
        _entries[entry.MaHoSo] = stored;
        return stored;
    }

    public LedgerEntry? Entry(string maHoSo) => _entries.GetValueOrDefault(maHoSo);

    public void SourceHas(SourceDossier source) =>
        Provincial.Setup(p => p.GetDossierAsync(source.MaHoSo, It.IsAny<CancellationToken>())).ReturnsAsync(source);

    public void SourceHasSteps(string maHoSo, int count) =>
        Provincial.Setup(p => p.GetStepsAsync(maHoSo, It.IsAny<CancellationToken>()))
            .ReturnsAsync(Enumerable.Range(0, count).Select(i => new System.Text.Json.Nodes.JsonObject { ["MaHoSo"] = maHoSo, ["TrangThai"] = i.ToString() }).ToList());

    public static RetrySchedule Retry => new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24));
}

public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
