namespace DvcSync.Application.PortalAvailability;

public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>
/// Whether the national portal is taken to be down. After <see cref="FailureThreshold"/> transient failures in a row
/// the circuit opens: calls are not sent, queued repairs are deferred without spending attempts, and the reconciliation
/// stops rather than turning every changed dossier into a repair. When the break is over, one call goes through as a
/// probe; its success closes the circuit, its failure opens it again for twice as long, up to <see cref="MaxBreak"/>.
/// Throttling (429 with Retry-After) is the portal working as designed and never opens it.
/// </summary>
public sealed class PortalCircuit(TimeProvider clock, TimeSpan baseBreak, TimeSpan maxBreak, int failureThreshold = 5)
{
    private readonly Lock _gate = new();
    private CircuitState _state = CircuitState.Closed;
    private int _consecutiveFailures;
    private readonly TimeSpan _baseBreak = baseBreak;
    private TimeSpan _break = baseBreak;
    private DateTimeOffset _openUntil;
    private DateTimeOffset _probeStartedAt;

    public int FailureThreshold { get; } = failureThreshold;
    public TimeSpan MaxBreak { get; } = maxBreak;

    /// <summary>Raised outside the lock when the circuit opens (true) or closes (false).</summary>
    public event Action<bool, DateTimeOffset>? Changed;

    public CircuitState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>Whether a call may go out now; if not, how long until the next probe.</summary>
    public bool TryEnter(out TimeSpan wait)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            wait = TimeSpan.Zero;
            switch (_state)
            {
                case CircuitState.Closed:
                    return true;
                case CircuitState.Open when now >= _openUntil:
                    _state = CircuitState.HalfOpen;
                    _probeStartedAt = now;
                    return true;
                case CircuitState.HalfOpen when now - _probeStartedAt > TimeSpan.FromMinutes(2):
                    // A probe that never reported (its caller died) must not keep the circuit shut for ever.
                    _probeStartedAt = now;
                    return true;
                case CircuitState.Open:
                    wait = _openUntil - now;
                    return false;
                default:
                    wait = TimeSpan.FromSeconds(Math.Max(1, _break.TotalSeconds / 4));
                    return false;
            }
        }
    }

    public void ReportSuccess()
    {
        bool closed;
        lock (_gate)
        {
            _consecutiveFailures = 0;
            closed = _state != CircuitState.Closed;
            _state = CircuitState.Closed;
            _break = _baseBreak;
        }
        if (closed) Changed?.Invoke(false, clock.GetUtcNow());
    }

    /// <summary>A call that ended without an answer (cancelled, say): if it was the probe, the next caller probes instead.</summary>
    public void ReportNoAnswer()
    {
        lock (_gate)
        {
            if (_state != CircuitState.HalfOpen) return;
            _state = CircuitState.Open;
            _openUntil = clock.GetUtcNow();
        }
    }

    public void ReportFailure()
    {
        var now = clock.GetUtcNow();
        bool opened;
        lock (_gate)
        {
            _consecutiveFailures++;
            if (_state == CircuitState.HalfOpen)
            {
                _break = TimeSpan.FromTicks(Math.Min(_break.Ticks * 2, MaxBreak.Ticks));
                _state = CircuitState.Open;
                _openUntil = now + _break;
                return;
            }
            opened = _state == CircuitState.Closed && _consecutiveFailures >= FailureThreshold;
            if (opened)
            {
                _state = CircuitState.Open;
                _openUntil = now + _break;
            }
        }
        if (opened) Changed?.Invoke(true, now);
    }
}
