namespace DvcSync.Simulators.Faults;

/// <summary>What a fault decision picked for one request.</summary>
public enum FaultKind
{
    None = 0,
    /// <summary>HTTP 5xx (<see cref="FaultSettings.ServerErrorStatus"/>, 503 by default).</summary>
    ServerError = 1,
    /// <summary>HTTP 429 with <c>Retry-After</c>.</summary>
    TooManyRequests = 2,
    /// <summary>No answer for <see cref="FaultSettings.HangDuration"/> (the client times out).</summary>
    Hang = 3,
    /// <summary>Portal only: HTTP 200 <c>{"error_code":"99"}</c>, nothing applied. Answered as a 5xx by the provincial simulator.</summary>
    SystemError = 4,
    /// <summary>Every request answered 503 during an outage window.</summary>
    Outage = 5,
    /// <summary>Portal only: HTTP 400 <c>{"error_code":"1"}</c>, as to a client whose dstcode, madonvi or request shape the adapter no longer accepts.</summary>
    Malformed = 6,
}

/// <summary>
/// The fault switches of one simulator. Rates are fractions of requests (0–1, their sum at most 1), decided
/// with one roll of a seeded <see cref="Random"/> per request, so a run is reproducible for a given order of
/// requests. Immutable: change it with <see cref="FaultSwitch.Update"/>.
/// </summary>
public sealed record FaultSettings
{
    public double ServerErrorRate { get; init; }
    public int ServerErrorStatus { get; init; } = 503;
    public double TooManyRequestsRate { get; init; }
    public int RetryAfterSeconds { get; init; } = 1;
    public double HangRate { get; init; }
    public TimeSpan HangDuration { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>When true a hanging request is processed first and only its answer is late: a time-out hides a success.</summary>
    public bool HangAfterProcessing { get; init; }
    /// <summary>Portal only: fraction of service calls answered <c>"99"</c>.</summary>
    public double SystemErrorRate { get; init; }
    /// <summary>Wall-clock delay added to every request (on top of configured latency).</summary>
    public TimeSpan AddedLatency { get; init; }
    /// <summary>Every request answered 503 while on (until <see cref="OutageUntil"/> if set, by the simulator's clock).</summary>
    public bool Outage { get; init; }
    public DateTimeOffset? OutageUntil { get; init; }
    /// <summary>Portal only: every request, sign-in included, answered HTTP 400 <c>{"error_code":"1"}</c> while on.</summary>
    public bool RefuseAsMalformed { get; init; }

    /// <summary>Portal only: every <c>TraCuuHoSo</c> answers with the copy of this dossier, whatever was asked (an
    /// answer about another dossier).</summary>
    public string? LookUpAnswersFor { get; init; }

    /// <summary>Provincial only: a list page asked for with a cursor answers that same cursor as its next one (a cursor
    /// that never advances), so a client that trusts it reads the same page for ever.</summary>
    public bool RepeatCursor { get; init; }

    /// <summary>Provincial only: a list page holds this many dossiers more than the <c>limit</c> asked for (its cursor
    /// still follows its last dossier).</summary>
    public int ExtraItemsPerPage { get; init; }

    /// <summary>Provincial only: every dossier of a list page carries an extra field of this many characters, to make
    /// pages (and single dossiers) as large as a test needs.</summary>
    public int ItemPaddingBytes { get; init; }

    public static FaultSettings None { get; } = new();

    internal void Validate()
    {
        foreach (var (name, rate) in new[]
                 {
                     (nameof(ServerErrorRate), ServerErrorRate), (nameof(TooManyRequestsRate), TooManyRequestsRate),
                     (nameof(HangRate), HangRate), (nameof(SystemErrorRate), SystemErrorRate),
                 })
            if (rate is < 0 or > 1 || double.IsNaN(rate))
                throw new ArgumentException($"{name} must be between 0 and 1.");
        if (ServerErrorRate + TooManyRequestsRate + HangRate + SystemErrorRate > 1.000001)
            throw new ArgumentException("The fault rates add up to more than 1.");
        if (ServerErrorStatus is < 500 or > 599) throw new ArgumentException("ServerErrorStatus must be a 5xx status.");
        if (RetryAfterSeconds < 0) throw new ArgumentException("RetryAfterSeconds must not be negative.");
        if (HangDuration < TimeSpan.Zero || AddedLatency < TimeSpan.Zero) throw new ArgumentException("Durations must not be negative.");
        if (ExtraItemsPerPage is < 0 or > 100_000) throw new ArgumentException("ExtraItemsPerPage must be between 0 and 100000.");
        if (ItemPaddingBytes is < 0 or > 64 * 1024 * 1024) throw new ArgumentException("ItemPaddingBytes must be between 0 and 67108864.");
    }
}
