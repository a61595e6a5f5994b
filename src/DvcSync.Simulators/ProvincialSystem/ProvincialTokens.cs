using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>The provincial simulator's access tokens: each valid for the lifetime it was issued with.</summary>
internal sealed class ProvincialTokens(TimeProvider clock, TimeSpan lifetime)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);
    private long _lifetimeTicks = lifetime.Ticks;

    /// <summary>The lifetime of the tokens issued from now on.</summary>
    public TimeSpan Lifetime
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _lifetimeTicks));
        set => Volatile.Write(ref _lifetimeTicks, value.Ticks);
    }

    public int ActiveCount
    {
        get
        {
            var now = clock.GetUtcNow();
            return _expiries.Count(kv => kv.Value > now);
        }
    }

    public (string Token, int ExpiresIn) Issue()
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var lifetime = Lifetime;
        _expiries[token] = clock.GetUtcNow() + lifetime;
        foreach (var kv in _expiries)
            if (kv.Value <= clock.GetUtcNow()) _expiries.TryRemove(kv.Key, out _);
        return (token, (int)lifetime.TotalSeconds);
    }

    public bool IsValid(string? token) => token is not null && _expiries.TryGetValue(token, out var expires) && clock.GetUtcNow() < expires;

    public void RevokeAll() => _expiries.Clear();
}
