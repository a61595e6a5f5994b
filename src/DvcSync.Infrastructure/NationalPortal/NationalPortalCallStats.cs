using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// In-memory counters of the portal client since the process started (one singleton per process). Cheap to update
/// (Interlocked) and to read: the health endpoint and the tests read them. No dossier data, only counts and times.
/// </summary>
public sealed class NationalPortalCallStats
{
    /// <summary>The portal's service names, as the counters are keyed.</summary>
    public static class Services
    {
        public const string LookUp = "TraCuuHoSo";
        public const string SyncDossiers = "DongBoHoSoMC";
        public const string AppendSteps = "CapNhatTienDoHoSoMC";
        public const string GetProcedure = "LayThuTuc";
    }

    private readonly ConcurrentDictionary<(string Service, PortalOutcomeKind Outcome), StrongBox<long>> _calls = new();
    private long _httpRequests;
    private long _signIns;
    private long _failedSignIns;
    private long _sessionRenewals;
    private long _throttled;
    private long _lastSuccessTicks;
    private long _lastFailureTicks;

    /// <summary>Service calls made through <see cref="INationalPortal"/>, one per method call, by outcome.</summary>
    public long Calls(string service, PortalOutcomeKind outcome) =>
        _calls.TryGetValue((service, outcome), out var box) ? Volatile.Read(ref box.Value) : 0;

    public long Calls(string service) => _calls.Where(p => p.Key.Service == service).Sum(p => Volatile.Read(ref p.Value.Value));

    public long TotalCalls => _calls.Sum(p => Volatile.Read(ref p.Value.Value));

    /// <summary>Every HTTP request sent to the portal: sign-ins, service calls, renewals and retries.</summary>
    public long HttpRequests => Interlocked.Read(ref _httpRequests);

    /// <summary>Successful sign-ins (the first one and every renewal).</summary>
    public long SignIns => Interlocked.Read(ref _signIns);

    /// <summary>Sign-ins that failed: refused credentials or the portal unreachable.</summary>
    public long FailedSignIns => Interlocked.Read(ref _failedSignIns);

    /// <summary>Sessions the portal declared expired ("-2"), each followed by one new sign-in.</summary>
    public long SessionRenewals => Interlocked.Read(ref _sessionRenewals);

    /// <summary>HTTP 429 answers received from the portal.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>When the portal last gave an answer other than a transient failure.</summary>
    public DateTimeOffset? LastSuccessAt => FromTicks(Interlocked.Read(ref _lastSuccessTicks));

    /// <summary>When a call last ended in a transient failure or a refusal of the request as malformed.</summary>
    public DateTimeOffset? LastFailureAt => FromTicks(Interlocked.Read(ref _lastFailureTicks));

    /// <summary>Every non-zero counter of service calls.</summary>
    public IReadOnlyList<PortalCallCount> Snapshot() =>
        [.. _calls.Select(p => new PortalCallCount(p.Key.Service, p.Key.Outcome, Volatile.Read(ref p.Value.Value)))
            .Where(c => c.Count > 0)
            .OrderBy(c => c.Service, StringComparer.Ordinal).ThenBy(c => c.Outcome)];

    internal void RecordCall(string service, PortalOutcomeKind outcome, DateTimeOffset at)
    {
        var box = _calls.GetOrAdd((service, outcome), static _ => new StrongBox<long>());
        Interlocked.Increment(ref box.Value);
        var failed = outcome is PortalOutcomeKind.Transient or PortalOutcomeKind.ConfigurationError;
        Interlocked.Exchange(ref failed ? ref _lastFailureTicks : ref _lastSuccessTicks, at.UtcTicks);
    }

    internal void RecordHttpRequest() => Interlocked.Increment(ref _httpRequests);

    internal void RecordSignIn(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _signIns : ref _failedSignIns);

    internal void RecordSessionRenewal() => Interlocked.Increment(ref _sessionRenewals);

    internal void RecordThrottled() => Interlocked.Increment(ref _throttled);

    private static DateTimeOffset? FromTicks(long ticks) => ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}

public sealed record PortalCallCount(string Service, PortalOutcomeKind Outcome, long Count);
