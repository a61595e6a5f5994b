using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Faults;

/// <summary>
/// Run-time fault switches of one simulator; every change applies to the next request. Thread-safe.
/// </summary>
public sealed class FaultSwitch
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly int _initialSeed;
    private readonly Queue<FaultKind> _forced = new();
    private readonly long[] _injected = new long[Enum.GetValues<FaultKind>().Length];
    private FaultSettings _settings = FaultSettings.None;
    private Random _random;

    public FaultSwitch(TimeProvider clock, int seed)
    {
        _clock = clock;
        _initialSeed = seed;
        _random = new Random(seed);
    }

    public FaultSettings Settings
    {
        get { lock (_gate) return _settings; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            lock (_gate) _settings = value;
        }
    }

    /// <summary>Changes some switches: <c>faults.Update(s => s with { ServerErrorRate = 0.1 })</c>.</summary>
    public FaultSettings Update(Func<FaultSettings, FaultSettings> change)
    {
        lock (_gate)
        {
            var next = change(_settings);
            next.Validate();
            _settings = next;
            return next;
        }
    }

    /// <summary>All faults off, pending forced faults dropped, the random sequence restarted from the initial seed.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _settings = FaultSettings.None;
            _forced.Clear();
            _random = new Random(_initialSeed);
        }
    }

    public void Reseed(int seed)
    {
        lock (_gate) _random = new Random(seed);
    }

    /// <summary>The next <paramref name="count"/> requests get <paramref name="kind"/>, whatever the rates say.</summary>
    public void FailNext(int count, FaultKind kind)
    {
        if (kind is FaultKind.None or FaultKind.Outage) throw new ArgumentException("Pick a request fault.", nameof(kind));
        lock (_gate)
            for (var i = 0; i < count; i++) _forced.Enqueue(kind);
    }

    /// <summary>Every request answered 503 from now on, until <paramref name="duration"/> has passed (simulator clock) or <see cref="EndOutage"/>.</summary>
    public void StartOutage(TimeSpan? duration = null) =>
        Update(s => s with { Outage = true, OutageUntil = duration is { } d ? _clock.GetUtcNow() + d : null });

    public void StartOutageUntil(DateTimeOffset until) => Update(s => s with { Outage = true, OutageUntil = until });

    public void EndOutage() => Update(s => s with { Outage = false, OutageUntil = null });

    public bool OutageActive
    {
        get
        {
            var s = Settings;
            return s.Outage && (s.OutageUntil is null || _clock.GetUtcNow() < s.OutageUntil.Value);
        }
    }

    /// <summary>How many requests got each fault so far.</summary>
    public long Injected(FaultKind kind) => Interlocked.Read(ref _injected[(int)kind]);

    internal void CountOutage() => Interlocked.Increment(ref _injected[(int)FaultKind.Outage]);

    /// <summary>One decision per request: a refusal of everything first, then forced faults, else one roll against the rates.</summary>
    /// <param name="portal">The portal simulator asks: the provincial one answers its faults as a 5xx instead.</param>
    internal FaultKind Decide(bool systemErrorApplies, bool portal = false)
    {
        FaultKind kind;
        lock (_gate)
        {
            if (_settings.RefuseAsMalformed)
            {
                kind = FaultKind.Malformed;
            }
            else if (_forced.Count > 0)
            {
                kind = _forced.Dequeue();
            }
            else
            {
                var s = _settings;
                var roll = _random.NextDouble();
                var edge = s.ServerErrorRate;
                if (roll < edge) kind = FaultKind.ServerError;
                else if (roll < (edge += s.TooManyRequestsRate)) kind = FaultKind.TooManyRequests;
                else if (roll < (edge += s.HangRate)) kind = FaultKind.Hang;
                else if (roll < edge + s.SystemErrorRate) kind = FaultKind.SystemError;
                else kind = FaultKind.None;
            }
        }
        if (kind == FaultKind.SystemError && !systemErrorApplies || kind == FaultKind.Malformed && !portal) kind = FaultKind.ServerError;
        if (kind != FaultKind.None) Interlocked.Increment(ref _injected[(int)kind]);
        return kind;
    }

    public JsonObject ToJson()
    {
        var s = Settings;
        int pending;
        lock (_gate) pending = _forced.Count;
        return new JsonObject
        {
            ["serverErrorRate"] = s.ServerErrorRate,
            ["serverErrorStatus"] = s.ServerErrorStatus,
            ["tooManyRequestsRate"] = s.TooManyRequestsRate,
            ["retryAfterSeconds"] = s.RetryAfterSeconds,
            ["hangRate"] = s.HangRate,
            ["hangMs"] = (long)s.HangDuration.TotalMilliseconds,
            ["hangAfterProcessing"] = s.HangAfterProcessing,
            ["systemErrorRate"] = s.SystemErrorRate,
            ["addedLatencyMs"] = (long)s.AddedLatency.TotalMilliseconds,
            ["outage"] = s.Outage,
            ["outageUntil"] = s.OutageUntil is { } u ? SimTime.Iso(u) : null,
            ["outageActive"] = OutageActive,
            ["refuseAsMalformed"] = s.RefuseAsMalformed,
            ["lookUpAnswersFor"] = s.LookUpAnswersFor,
            ["repeatCursor"] = s.RepeatCursor,
            ["extraItemsPerPage"] = s.ExtraItemsPerPage,
            ["itemPaddingBytes"] = s.ItemPaddingBytes,
            ["pendingForcedFaults"] = pending,
            ["injected"] = new JsonObject(Enum.GetValues<FaultKind>().Where(k => k != FaultKind.None)
                .Select(k => KeyValuePair.Create<string, JsonNode?>(k.ToString(), Injected(k)))),
        };
    }

    /// <summary>
    /// Applies a <c>POST /_sim/faults</c> body: every field present changes that switch, the rest stay.
    /// Fields: reset, seed, serverErrorRate, serverErrorStatus, tooManyRequestsRate, retryAfterSeconds, hangRate,
    /// hangMs, hangAfterProcessing, systemErrorRate, addedLatencyMs, outage, outageUntil (ISO 8601),
    /// outageSeconds, refuseAsMalformed, lookUpAnswersFor, failNext {count, kind}, and the provincial system's repeatCursor,
    /// extraItemsPerPage and itemPaddingBytes. Throws <see cref="ArgumentException"/> on a bad value.
    /// </summary>
    public void ApplyJson(JsonObject body)
    {
        if (Bool(body, "reset") == true) Reset();
        if (Num(body, "seed") is { } seed) Reseed((int)seed);
        var now = _clock.GetUtcNow();
        Update(s =>
        {
            var n = s;
            if (Num(body, "serverErrorRate") is { } a) n = n with { ServerErrorRate = a };
            if (Num(body, "serverErrorStatus") is { } b) n = n with { ServerErrorStatus = (int)b };
            if (Num(body, "tooManyRequestsRate") is { } c) n = n with { TooManyRequestsRate = c };
            if (Num(body, "retryAfterSeconds") is { } d) n = n with { RetryAfterSeconds = (int)d };
            if (Num(body, "hangRate") is { } e) n = n with { HangRate = e };
            if (Num(body, "hangMs") is { } f) n = n with { HangDuration = TimeSpan.FromMilliseconds(f) };
            if (Bool(body, "hangAfterProcessing") is { } g) n = n with { HangAfterProcessing = g };
            if (Num(body, "systemErrorRate") is { } h) n = n with { SystemErrorRate = h };
            if (Num(body, "addedLatencyMs") is { } i) n = n with { AddedLatency = TimeSpan.FromMilliseconds(i) };
            if (Bool(body, "outage") is { } j) n = n with { Outage = j, OutageUntil = j ? n.OutageUntil : null };
            if (SimJson.Str(body, "outageUntil") is { } k)
            {
                if (!DateTimeOffset.TryParse(k, CultureInfo.InvariantCulture, DateTimeStyles.None, out var until))
                    throw new ArgumentException("outageUntil must be an ISO 8601 date-time with offset.");
                n = n with { Outage = true, OutageUntil = until };
            }
            if (Num(body, "outageSeconds") is { } l) n = n with { Outage = true, OutageUntil = now + TimeSpan.FromSeconds(l) };
            if (Bool(body, "refuseAsMalformed") is { } m) n = n with { RefuseAsMalformed = m };
            if (body.ContainsKey("lookUpAnswersFor")) n = n with { LookUpAnswersFor = SimJson.Str(body, "lookUpAnswersFor") };
            if (Bool(body, "repeatCursor") is { } rc) n = n with { RepeatCursor = rc };
            if (Num(body, "extraItemsPerPage") is { } o) n = n with { ExtraItemsPerPage = (int)o };
            if (Num(body, "itemPaddingBytes") is { } q) n = n with { ItemPaddingBytes = (int)q };
            return n;
        });
        if (body["failNext"] is JsonObject fail)
        {
            var count = (int)(Num(fail, "count") ?? 1);
            var kindText = SimJson.Str(fail, "kind") ?? nameof(FaultKind.ServerError);
            if (!Enum.TryParse<FaultKind>(kindText, ignoreCase: true, out var kind))
                throw new ArgumentException($"Unknown fault kind '{kindText}'.");
            FailNext(count, kind);
        }
    }

    private static double? Num(JsonObject o, string name)
    {
        var s = SimJson.Str(o, name);
        if (s is null) return null;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new ArgumentException($"{name} must be a number.");
    }

    private static bool? Bool(JsonObject o, string name)
    {
        var s = SimJson.Str(o, name);
        if (s is null) return null;
        return bool.TryParse(s, out var b) ? b : throw new ArgumentException($"{name} must be true or false.");
    }
}
