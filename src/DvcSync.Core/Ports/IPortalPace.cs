namespace DvcSync.Core.Ports;

/// <summary>
/// How fast this process may and does talk to the portal: the rate ceiling every call passes, and the recent round
/// trip of a call from the moment it is sent (the wait for the ceiling left out). Work that feeds the portal sizes
/// itself from these, so that it keeps the ceiling busy without tuning.
/// </summary>
public interface IPortalPace
{
    /// <summary>The most calls sent in any one-second window.</summary>
    int CallsPerSecond { get; }

    /// <summary>The smoothed round trip of recent calls, from send to answer; null before the first answer.</summary>
    TimeSpan? TypicalRoundTrip { get; }
}
