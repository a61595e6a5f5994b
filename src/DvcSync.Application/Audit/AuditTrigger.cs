namespace DvcSync.Application.Audit;

/// <summary>
/// Wakes a host's audit runner when an audit is requested in this process, so that it starts at once rather than at
/// the runner's next poll (which still finds audits requested elsewhere).
/// </summary>
public sealed class AuditTrigger
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Signal()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up is enough.
        }
    }

    /// <returns>True when signalled, false when <paramref name="timeout"/> passed first.</returns>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
