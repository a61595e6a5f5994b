namespace DvcSync.Simulators.Hosting;

/// <summary>
/// A clock that only moves when told to: inject it as <see cref="SimulatorOptions.TimeProvider"/> to control
/// session expiry, token lifetime, the rate-limit window and validation of future dates from a test.
/// Artificial latency and hangs are wall-clock delays and do not use it.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private long _utcTicks;

    public ManualClock(DateTimeOffset start) => _utcTicks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "A clock does not go back.");
        Interlocked.Add(ref _utcTicks, by.Ticks);
    }

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _utcTicks, now.UtcTicks);
}
