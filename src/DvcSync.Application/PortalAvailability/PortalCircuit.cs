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
/// Throttling (429 with Retry-After) is the portal working as designed and never opens it. A request the portal cannot
/// parse (HTTP 400 / "1", <see cref="ReportRefused"/>) opens it at once: no number of calls will change a configuration
/// error, so repairs wait and the reconciliation stops, as in an outage, until a call succeeds.
/// <para>
/// Why not Polly v8's circuit breaker (<c>CircuitBreakerStrategyOptions</c>), which the HTTP clients already carry:
/// it could share one pipeline across every portal call, decide on typed results (<c>ShouldHandle</c>, so a 429 is
/// not a failure), double the break up to a maximum (<c>BreakDurationGenerator</c> with its half-open attempts), probe
/// with one call and report its state (<c>StateProvider</c>), and the <c>BrokenCircuitException</c> it throws instead of
/// calling could become the same CircuitOpen result, so the same deferral that spends no attempt. It cannot keep three
/// of the rules above. It opens on a failure ratio over
/// a sampling window with a minimum throughput, not on N failures in a row: a success that fell inside the window keeps
/// it closed through a run of failures after it, and with 16 look-ups in flight the count depends on the window's
/// length rather than on what the portal did last. It cannot open on one refusal whatever the count: the minimum
/// throughput is at least 2, and the manual control that would hold it open (<c>IsolateAsync</c>) never probes, so
/// nothing would close it when the configuration is fixed. And every probe ends as handled or unhandled: a probe whose
/// caller was cancelled (a slice's budget, a host stopping) either closes the circuit on a portal that never answered or
/// doubles the break for a failure that was ours, where <see cref="ReportNoAnswer"/> lets the next caller probe instead.
/// </para>
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
    private bool _refused;

    public int FailureThreshold { get; } = failureThreshold;
    public TimeSpan MaxBreak { get; } = maxBreak;

    /// <summary>Raised outside the lock when the circuit opens (true) or closes (false).</summary>
    public event Action<bool, DateTimeOffset>? Changed;

    /// <summary>
    /// Raised outside the lock, once per episode, when the portal starts refusing requests as malformed; the episode
    /// ends with the next success.
    /// </summary>
    public event Action<string, DateTimeOffset>? Refused;

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
            _refused = false;
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

    /// <summary>
    /// The portal could not parse a request (HTTP 400 / "1"): the circuit opens now whatever the count, or again for
    /// twice as long if this was the probe, and stays open while the portal keeps refusing.
    /// </summary>
    public void ReportRefused(string problem)
    {
        var now = clock.GetUtcNow();
        bool opened, episodeBegins;
        lock (_gate)
        {
            episodeBegins = !_refused;
            _refused = true;
            _consecutiveFailures++;
            opened = _state == CircuitState.Closed;
            if (_state == CircuitState.HalfOpen) _break = TimeSpan.FromTicks(Math.Min(_break.Ticks * 2, MaxBreak.Ticks));
            // A call sent before the circuit opened leaves the break as it is.
            if (_state != CircuitState.Open)
            {
                _state = CircuitState.Open;
                _openUntil = now + _break;
            }
        }
        if (opened) Changed?.Invoke(true, now);
        if (episodeBegins) Refused?.Invoke(problem, now);
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
