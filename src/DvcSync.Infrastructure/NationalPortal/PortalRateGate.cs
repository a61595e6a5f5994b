namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// The process-wide ceiling on requests to the portal: never more than <see cref="Limit"/> in any window of one second,
/// sign-ins and retries included (every HTTP attempt passes through <see cref="PortalRateLimitingHandler"/>).
/// <para>
/// How: <see cref="Limit"/> slots. A request takes a slot before it is sent and gives it back only one
/// <see cref="Window"/> (plus a small margin) after its answer arrived. Take any <c>Limit + 1</c> requests and, of
/// them, L, the last to take its slot. When L took it, the other <c>Limit</c> could not all be holding one, so one of
/// them, A, had already given its slot back: A was answered at least one window before L was sent. The portal
/// received A before it answered A, and L after L was sent, so the portal saw A and L more than one window apart: no
/// one-second window, however placed, holds more than <see cref="Limit"/> arrivals. The argument needs no
/// assumption about network delay, about the other machine's clock (only its rate), or about timer precision (a slot
/// is returned only once a monotonic clock says its time has come). A request that got no answer (time-out, reset)
/// holds its slot one extra second after it was abandoned, for the bytes that might still be on their way.
/// </para>
/// <para>
/// The price: a slot is busy for the request's latency plus one second, so the ceiling is reached only when
/// answers are quick (at 100 ms latency: Limit / 1.1 s). It also caps requests in flight at <see cref="Limit"/>.
/// </para>
/// When the portal answers 429, <see cref="PauseFor"/> stops every caller until the Retry-After has passed.
/// Waiting callers queue (first come, first served) up to <see cref="QueueLimit"/>; beyond that a call fails
/// fast with <see cref="PortalRateLimitQueueFullException"/>, which the client reports as a transient outcome.
/// </summary>
public sealed class PortalRateGate
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>Added to every slot's hold, so that rounding in the portal's own window arithmetic cannot matter.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(15);

    public const int DefaultQueueLimit = 2000;

    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _head = new(1, 1);
    private readonly TimeProvider _time;
    private int _waiting;
    private long _pausedUntil;

    public PortalRateGate(int limit, TimeProvider? timeProvider = null, int queueLimit = DefaultQueueLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueLimit, 1);
        Limit = limit;
        QueueLimit = queueLimit;
        _slots = new SemaphoreSlim(limit, limit);
        _time = timeProvider ?? TimeProvider.System;
        _pausedUntil = _time.GetTimestamp();
    }

    public int Limit { get; }

    public int QueueLimit { get; }

    /// <summary>Callers waiting for a slot right now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>How long every call still waits because of a 429 from the portal.</summary>
    public TimeSpan PauseRemaining
    {
        get
        {
            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), Volatile.Read(ref _pausedUntil));
            return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
        }
    }

    /// <summary>Waits for a slot. Dispose the lease when the request has been answered or has failed.</summary>
    public async ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _waiting) > QueueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            throw new PortalRateLimitQueueFullException(QueueLimit);
        }
        try
        {
            // One caller at a time competes for slots and watches the pause; the rest queue behind it in order.
            await _head.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    for (var pause = PauseRemaining; pause > TimeSpan.Zero; pause = PauseRemaining)
                        await Task.Delay(pause + TimeSpan.FromMilliseconds(1), _time, cancellationToken).ConfigureAwait(false);
                    await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                    if (PauseRemaining <= TimeSpan.Zero) return new Lease(this);
                    _slots.Release(); // a pause began while this caller waited; nothing was sent, so the slot is free
                }
            }
            finally
            {
                _head.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>Stops every call until <paramref name="delay"/> has passed (the portal's Retry-After). Never shortens a pause.</summary>
    public void PauseFor(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero) return;
        if (delay > MaxPause) delay = MaxPause;
        var until = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
        var current = Volatile.Read(ref _pausedUntil);
        while (until > current)
        {
            var seen = Interlocked.CompareExchange(ref _pausedUntil, until, current);
            if (seen == current) return;
            current = seen;
        }
    }

    private static readonly TimeSpan UnansweredExtra = TimeSpan.FromSeconds(1);

    private void Return(long completedAt, bool answered)
    {
        var hold = answered ? Window + Margin : Window + Margin + UnansweredExtra;
        var due = completedAt + (long)(hold.TotalSeconds * _time.TimestampFrequency);
        _ = ReturnWhenDueAsync(due);
    }

    private async Task ReturnWhenDueAsync(long due)
    {
        try
        {
            // Timers may fire a little early; the monotonic clock decides.
            for (var left = _time.GetElapsedTime(_time.GetTimestamp(), due); left > TimeSpan.Zero; left = _time.GetElapsedTime(_time.GetTimestamp(), due))
                await Task.Delay(left + TimeSpan.FromMilliseconds(1), _time).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// One request's slot. Disposing it starts the hold after which the slot is free again: one window after an
    /// answer (<see cref="MarkAnswered"/>), a little longer after a request that got none.
    /// </summary>
    public sealed class Lease : IDisposable
    {
        private PortalRateGate? _gate;
        private bool _answered;

        internal Lease(PortalRateGate gate) => _gate = gate;

        public void MarkAnswered() => _answered = true;

        public void Dispose()
        {
            var gate = Interlocked.Exchange(ref _gate, null);
            gate?.Return(gate._time.GetTimestamp(), _answered);
        }
    }
}

/// <summary>More callers wait for the portal's rate ceiling than the gate queues.</summary>
public sealed class PortalRateLimitQueueFullException(int queueLimit)
    : Exception($"more than {queueLimit} calls are already waiting for the national portal's rate limit");
