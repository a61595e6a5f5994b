namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>
/// A clock that starts at a chosen instant and then runs with real time, and can be moved ahead. Given to the
/// simulators (<see cref="DvcSync.Simulators.SimulatorOptions.TimeProvider"/>), <see cref="SyncEnvironment"/> gives it to
/// the host as well: a test that needs "this month" to hold seeded data gets the same month on whatever day it runs,
/// while leases, retries and time-outs pass as they would on any day. Timers and timestamps are the system's.
/// </summary>
public sealed class ShiftedClock(DateTimeOffset start) : TimeProvider
{
    private readonly long _startedAt = TimeProvider.System.GetTimestamp();
    private long _aheadTicks;

    public override DateTimeOffset GetUtcNow() =>
        start.ToUniversalTime() + TimeProvider.System.GetElapsedTime(_startedAt) + TimeSpan.FromTicks(Interlocked.Read(ref _aheadTicks));

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "A clock does not go back.");
        Interlocked.Add(ref _aheadTicks, by.Ticks);
    }
}
