using DvcSync.Infrastructure.NationalPortal;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// What the client's rate gate saw during a run, sampled every 10 ms: how often no look-up was waiting for a slot (the
/// ceiling left idle for want of callers: too few look-ups in flight, or callers the machine did not schedule) and how
/// many waited on average (callers to spare: the gate, not the number in flight, set the pace). Only samples while a
/// portal call had been made count, so the run's local start and end do not.
/// </summary>
internal sealed class GateSampler : IDisposable
{
    private readonly PortalRateGate _gate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _task;
    private long _samples, _idle, _waitingSum;

    public GateSampler(PortalRateGate gate)
    {
        _gate = gate;
        _task = Task.Run(SampleAsync);
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                if (_gate.TypicalRoundTrip is null) continue; // no call answered yet
                var waiting = _gate.Waiting;
                _samples++;
                _waitingSum += waiting;
                if (waiting == 0) _idle++;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Share of samples with nobody waiting at the gate, mean callers waiting, the gate's typical round trip in ms.</summary>
    public (double IdleShare, double MeanWaiting, double? RoundTripMs) Stop()
    {
        _stop.Cancel();
        _task.Wait();
        return _samples == 0 ? (double.NaN, double.NaN, null)
            : (_idle / (double)_samples, _waitingSum / (double)_samples, _gate.TypicalRoundTrip?.TotalMilliseconds);
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) Stop();
        _stop.Dispose();
    }
}
