namespace DvcSync.Simulators.NationalPortal;

/// <summary>
/// At most N admitted requests in any one-second window (sliding, by the simulator's clock). A request that
/// would be the (N+1)th in the last second is refused, with the seconds until a slot frees up.
/// </summary>
internal sealed class SlidingWindowRateLimiter
{
    private readonly object _gate = new();
    private readonly Queue<long> _admitted = new();

    public bool TryAcquire(DateTimeOffset now, int limit, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (limit <= 0) return true;
        var nowTicks = now.UtcTicks;
        lock (_gate)
        {
            while (_admitted.Count > 0 && _admitted.Peek() <= nowTicks - TimeSpan.TicksPerSecond) _admitted.Dequeue();
            while (_admitted.Count > limit) _admitted.Dequeue(); // the limit was lowered at run time
            if (_admitted.Count >= limit)
            {
                var freeAt = _admitted.Peek() + TimeSpan.TicksPerSecond;
                retryAfterSeconds = Math.Max(1, (int)Math.Ceiling((freeAt - nowTicks) / (double)TimeSpan.TicksPerSecond));
                return false;
            }
            _admitted.Enqueue(nowTicks);
            return true;
        }
    }

    public void Reset()
    {
        lock (_gate) _admitted.Clear();
    }
}
