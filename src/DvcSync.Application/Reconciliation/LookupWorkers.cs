using DvcSync.Core.Ports;

namespace DvcSync.Application.Reconciliation;

/// <summary>
/// How many look-up workers keep the portal's ceiling busy: the ceiling times one worker's whole cycle per dossier
/// (ledger read, look-up, hand-over of the verdict), with headroom. The cycle is measured without the wait for the
/// ceiling — counting that wait would grow the workers whenever the ceiling is reached, for nothing — as the worker's
/// own time outside the portal call plus the rate gate's recent round trip. More workers than that only wait at the
/// gate, which caps the calls anyway; fewer leave the ceiling idle (16 workers at 50 ms reached 0.91 of 200 calls/s).
/// </summary>
public sealed class LookupWorkerSizer(IPortalPace pace, int cap)
{
    /// <summary>Workers beyond the cycle's estimate: the cycle varies, and a worker short is a call not made.</summary>
    public const double Headroom = 1.5;

    /// <summary>Added to the estimate, for what the measured cycle misses (the client's own work around a call).</summary>
    public const int Spare = 4;

    /// <summary>The cycle assumed before anything is measured: a look-up of a typical portal.</summary>
    public static readonly TimeSpan AssumedCycle = TimeSpan.FromMilliseconds(100);

    /// <summary>Most workers when <c>Sync:LookupConcurrency</c> sets no cap.</summary>
    public const int DefaultCap = 256;

    /// <summary>Look-ups in flight when the portal's pace is unknown (no rate gate in this process) and no cap is set.</summary>
    public const int FallbackWorkers = 16;

    /// <summary>
    /// A sizer from the portal's pace, capped by <c>Sync:LookupConcurrency</c> when set; null without a known pace,
    /// and then <see cref="FixedWorkers"/> check at once.
    /// </summary>
    public static LookupWorkerSizer? For(IPortalPace? pace, int? cap) => pace is null ? null : new LookupWorkerSizer(pace, cap ?? DefaultCap);

    public static int FixedWorkers(int? cap) => cap ?? FallbackWorkers;

    private double _ownSeconds = -1;
    private readonly Lock _gate = new();

    public int Cap { get; } = cap;

    /// <summary>A worker's time per dossier outside the portal call, folded into a smoothed figure.</summary>
    public void RecordOwnTime(TimeSpan own)
    {
        lock (_gate)
            _ownSeconds = _ownSeconds < 0 ? own.TotalSeconds : _ownSeconds + (own.TotalSeconds - _ownSeconds) / 16;
    }

    /// <summary>The workers wanted now.</summary>
    public int Target()
    {
        double own;
        lock (_gate) own = Math.Max(0, _ownSeconds);
        var cycle = pace.TypicalRoundTrip is { } roundTrip ? roundTrip.TotalSeconds + own : AssumedCycle.TotalSeconds;
        var wanted = (int)Math.Ceiling(pace.CallsPerSecond * cycle * Headroom) + Spare;
        return Math.Clamp(wanted, 1, Cap);
    }
}

/// <summary>
/// A number of permits that can change while they are held: a worker takes one before it takes a dossier and gives it
/// back after; when the number shrinks, permits given back are kept until the count is down to it.
/// </summary>
internal sealed class WorkerAllowance(int initial) : IDisposable
{
    private readonly SemaphoreSlim _permits = new(initial);
    private readonly Lock _gate = new();
    private int _limit = initial;
    private int _owed;

    public int Limit { get { lock (_gate) return _limit; } }

    public Task WaitAsync(CancellationToken cancellationToken) => _permits.WaitAsync(cancellationToken);

    public void Release()
    {
        lock (_gate)
        {
            if (_owed > 0)
            {
                _owed--;
                return;
            }
        }
        _permits.Release();
    }

    public void Resize(int limit)
    {
        var grant = 0;
        lock (_gate)
        {
            if (limit == _limit) return;
            if (limit > _limit)
            {
                var more = limit - _limit;
                var forgiven = Math.Min(more, _owed);
                _owed -= forgiven;
                grant = more - forgiven;
            }
            else
            {
                _owed += _limit - limit;
            }
            _limit = limit;
        }
        if (grant > 0) _permits.Release(grant);
    }

    public void Dispose() => _permits.Dispose();
}
