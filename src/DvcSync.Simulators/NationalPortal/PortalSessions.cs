using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>The portal simulator's sessions: a session stays valid for the time-to-live after its last use.</summary>
internal sealed class PortalSessions(TimeProvider clock, Func<TimeSpan> ttl)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUse = new(StringComparer.Ordinal);

    public int ActiveCount
    {
        get
        {
            var now = clock.GetUtcNow();
            var timeToLive = ttl();
            return _lastUse.Count(kv => now - kv.Value < timeToLive);
        }
    }

    /// <returns>A new session's token.</returns>
    public string Open()
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _lastUse[token] = clock.GetUtcNow();
        return token;
    }

    /// <summary>Whether the token names a live session; using it keeps it alive.</summary>
    public bool TryUse(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_lastUse.TryGetValue(token, out var lastUse)) return false;
        var now = clock.GetUtcNow();
        if (now - lastUse >= ttl())
        {
            _lastUse.TryRemove(token, out _);
            return false;
        }
        _lastUse[token] = now > lastUse ? now : lastUse;
        return true;
    }

    public void ExpireAll() => _lastUse.Clear();
}
