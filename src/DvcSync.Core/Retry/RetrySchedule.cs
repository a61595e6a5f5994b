namespace DvcSync.Core.Retry;

/// <summary>
/// When to try a failed repair again. Exponential with full jitter, so that dossiers that failed together during
/// an outage do not all return to the portal in the same second when it comes back.
/// </summary>
public sealed record RetrySchedule(TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan GiveUpAfter)
{
    public static readonly RetrySchedule Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromHours(1), TimeSpan.FromHours(24));

    /// <param name="attempt">1 for the first retry.</param>
    /// <param name="unitRandom">A number in [0, 1): the jitter.</param>
    public TimeSpan DelayFor(int attempt, double unitRandom)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        // Half fixed, half random: never immediate, still spread.
        return TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * unitRandom);
    }

    public bool ShouldGiveUp(DateTimeOffset failingSince, DateTimeOffset now) => now - failingSince >= GiveUpAfter;

    /// <summary>
    /// How long a repair message lives: the give-up time plus the longest retry delay, counted from when it shows. A
    /// dossier still failing by then is abandoned by its next attempt anyway, and one whose message expired unread (a
    /// queue backed up for a day) is still pending or retrying in the ledger, where the reconciliation's sweep finds it
    /// and queues it again. A message that never expires would keep a dossier's old requests forever.
    /// </summary>
    public TimeSpan MessageTimeToLive(TimeSpan visibility) => visibility + GiveUpAfter + MaxDelay;
}
