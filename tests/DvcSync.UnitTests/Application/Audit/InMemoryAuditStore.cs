using DvcSync.Core.Ports;

namespace DvcSync.UnitTests.Application.Audit;

/// <summary>The audit store's contract in memory: a save lands only over the job it was read as (ETag), one lease holder.</summary>
public sealed class InMemoryAuditStore : IAuditStore
{
    private readonly object _gate = new();
    private AuditJob? _job;
    private int _version;

    /// <summary>Another process holds the lease: every acquisition fails.</summary>
    public bool LeaseHeldElsewhere { get; set; }

    public string? LeaseOwner { get; private set; }

    public List<AuditJob> Saves { get; } = [];

    private readonly List<(Func<AuditJob, bool> Condition, TaskCompletionSource Reached)> _awaited = [];

    /// <summary>Completes once a saved job meets <paramref name="condition"/> (a checkpoint, say).</summary>
    public Task SavedAsync(Func<AuditJob, bool> condition)
    {
        lock (_gate)
        {
            if (_job is { } job && condition(job)) return Task.CompletedTask;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((condition, reached));
            return reached.Task;
        }
    }

    public AuditJob? Job
    {
        get { lock (_gate) return _job; }
    }

    public AuditJob Put(AuditJob job)
    {
        lock (_gate) return _job = job with { ETag = "v" + ++_version };
    }

    public Task<AuditJob?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Job);

    public Task<AuditJob?> TrySaveAsync(AuditJob? previous, AuditJob next, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_job?.ETag != previous?.ETag) return Task.FromResult<AuditJob?>(null);
            var saved = Put(next);
            Saves.Add(saved);
            foreach (var awaited in _awaited.Where(a => a.Condition(saved))) awaited.Reached.TrySetResult();
            return Task.FromResult<AuditJob?>(saved);
        }
    }

    public Task<bool> TryAcquireLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (LeaseHeldElsewhere || (LeaseOwner is not null && LeaseOwner != owner)) return Task.FromResult(false);
            LeaseOwner = owner;
            return Task.FromResult(true);
        }
    }

    public Task ReleaseLeaseAsync(string owner, CancellationToken cancellationToken)
    {
        lock (_gate)
            if (LeaseOwner == owner) LeaseOwner = null;
        return Task.CompletedTask;
    }
}
