using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// The process-wide ceiling on requests to the portal: never more than <see cref="Limit"/> sent in any window of one
/// second, sign-ins and retries included (every HTTP attempt passes through <see cref="PortalRateLimitingHandler"/>).
/// <para>
/// How: <see cref="Limit"/> slots. A request takes a slot before it is sent; the slot comes back one
/// <see cref="Window"/> plus <see cref="Margin"/> after the request left (its connection began writing it; a new
/// connection's set-up comes before that), or when the answer arrives if that is later.
/// Of any <c>Limit + 1</c> requests, the last one, L, could only take its slot once one of the others, A, had given
/// its slot back, so L was sent at least a window and a margin after A. The portal therefore sees them more than one
/// window apart unless A spent more than <see cref="Margin"/> longer on the way than L did: the margin is the
/// tolerated difference in one-way delay (and in timer and clock rounding), <c>NationalPortal:RateMarginMilliseconds</c>.
/// A request answered later than the recent typical round trip holds its slot that much longer still, since it may
/// have arrived that much later. A request that got no answer (time-out, reset) holds its slot one extra second after it
/// was abandoned, for the bytes that might still be on their way.
/// </para>
/// <para>
/// Why the slot is anchored at the send and not at the answer: anchored at the answer, a slot is busy for the
/// request's latency plus a window, which at 50 ms latency caps the rate at 0.94 of the ceiling and at 300 ms at
/// 0.77 — a full audit of a large province would take a quarter longer for nothing. The price is the margin's
/// assumption above. In-flight requests are capped at <see cref="Limit"/> as well.
/// </para>
/// When the portal answers 429, <see cref="PauseFor"/> stops every caller until the Retry-After has passed.
/// Waiting callers queue (first come, first served) up to <see cref="QueueLimit"/>; beyond that a call fails
/// fast with <see cref="PortalRateLimitQueueFullException"/>, which the client reports as a transient outcome.
/// </summary>
public sealed class PortalRateGate : IPortalPace
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan DefaultMargin = TimeSpan.FromMilliseconds(25);

    public const int DefaultQueueLimit = 2000;

    private static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _head = new(1, 1);
    private readonly TimeProvider _time;
    private readonly long _spacing;
    private long _lastDue;
    private int _waiting;
    private long _pausedUntil;

    public PortalRateGate(int limit, TimeProvider? timeProvider = null, int queueLimit = DefaultQueueLimit, TimeSpan? margin = null)
    {
        Margin = margin ?? DefaultMargin;
        ArgumentOutOfRangeException.ThrowIfLessThan(Margin, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueLimit, 1);
        Limit = limit;
        QueueLimit = queueLimit;
        _slots = new SemaphoreSlim(limit, limit);
        _time = timeProvider ?? TimeProvider.System;
        _pausedUntil = _time.GetTimestamp();
        _spacing = Ticks((Window + Margin) / limit);
        _lastDue = _time.GetTimestamp() - _spacing;
    }

    public int Limit { get; }

    /// <summary>
    /// Added to every slot's hold: how much longer one request may take to reach the portal than another sent a window
    /// later (connection set-up, a pause of either process, timer and clock rounding) before the portal could count
    /// more than the limit in one second. When that happens anyway, the portal's 429 pauses every caller.
    /// </summary>
    public TimeSpan Margin { get; }

    public int QueueLimit { get; }

    int IPortalPace.CallsPerSecond => Limit;

    public TimeSpan? TypicalRoundTrip
    {
        get
        {
            var ticks = Interlocked.Read(ref _typicalRoundTrip);
            return ticks < 0 ? null : TimeSpan.FromSeconds(ticks / (double)_time.TimestampFrequency);
        }
    }

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
                    try
                    {
                        await PaceAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        _slots.Release();
                        throw;
                    }
                    if (PauseRemaining <= TimeSpan.Zero)
                    {
                        return new Lease(this, _time.GetTimestamp());
                    }
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

    /// <summary>
    /// Spreads the grants evenly over the window instead of letting a burst of <see cref="Limit"/> go at once: a burst
    /// makes its requests queue for connections and threads, so their delays to the portal differ by more than the
    /// margin, and the portal sees the next burst's requests closer than a window to this one's.
    /// <para>
    /// Each grant is due one spacing after the previous one was due, not after it actually went: a timer wakes a few
    /// milliseconds late, and counting from the late grant added that lateness to every spacing (at 200/s, 5 ms
    /// apart, the gate granted 124 a second). A late grant is followed at once by the next, up to
    /// <see cref="CatchUpSpacings"/> spacings behind, so a pause does not turn into a burst. The slots, not the
    /// pacing, are what keep any window at or under the limit.
    /// </para>
    /// </summary>
    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        var due = Math.Max(_lastDue + _spacing, now - CatchUpSpacings * _spacing);
        for (var left = _time.GetElapsedTime(now, due); left > TimeSpan.Zero; left = _time.GetElapsedTime(_time.GetTimestamp(), due))
            await Task.Delay(left, _time, cancellationToken).ConfigureAwait(false);
        _lastDue = due;
    }

    private const int CatchUpSpacings = 2;

    private static readonly TimeSpan UnansweredExtra = TimeSpan.FromSeconds(1);

    /// <summary>Recent round trips from send to answer, smoothed; -1 before the first answer.</summary>
    private long _typicalRoundTrip = -1;

    private void Return(long sentAt, long completedAt, bool answered)
    {
        long due;
        if (answered)
        {
            // A request answered much later than usual most likely reached the portal later than usual too (a
            // connection the portal's side accepted late, a stall on the way): then the send time understates its
            // arrival by about that extra delay, so the slot is held that much longer. At a steady latency this adds
            // nothing; with a varying one it costs only the slow requests' extra time.
            var roundTrip = completedAt - sentAt;
            var typical = Interlocked.Read(ref _typicalRoundTrip);
            Interlocked.Exchange(ref _typicalRoundTrip, typical < 0 ? roundTrip : typical + (roundTrip - typical) / 16);
            var late = typical < 0 ? 0 : Math.Max(0, roundTrip - typical);
            due = sentAt + late + Ticks(Window + Margin);
        }
        else
        {
            due = completedAt + Ticks(Window + Margin + UnansweredExtra);
        }
        _ = ReturnWhenDueAsync(Math.Max(due, completedAt));
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

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
    /// One request's slot. Disposing it starts the wait after which the slot is free again: what is left of one
    /// window after the grant once answered (<see cref="MarkAnswered"/>), longer after a request that got no answer.
    /// </summary>
    public sealed class Lease : IDisposable
    {
        private PortalRateGate? _gate;
        private readonly long _grantedAt;
        private long _sentAt;
        private bool _answered;

        internal Lease(PortalRateGate gate, long grantedAt)
        {
            _gate = gate;
            _grantedAt = grantedAt;
            _sentAt = grantedAt;
        }

        /// <summary>
        /// The request is leaving now (its connection is writing it). Later than the grant when a connection had to be
        /// opened first; the slot then counts from here, so that delay does not eat into the margin.
        /// </summary>
        public void MarkSent()
        {
            if (_gate is { } gate) Volatile.Write(ref _sentAt, gate._time.GetTimestamp());
        }

        public void MarkAnswered() => _answered = true;

        public void Dispose()
        {
            var gate = Interlocked.Exchange(ref _gate, null);
            gate?.Return(Volatile.Read(ref _sentAt), gate._time.GetTimestamp(), _answered);
        }
    }
}

/// <summary>More callers wait for the portal's rate ceiling than the gate queues.</summary>
public sealed class PortalRateLimitQueueFullException(int queueLimit)
    : Exception($"more than {queueLimit} calls are already waiting for the national portal's rate limit");
