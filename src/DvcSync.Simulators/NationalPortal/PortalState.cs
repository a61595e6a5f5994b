using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DvcSync.Core.Ports;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>Sign-in data and behaviour switches of the portal simulator.</summary>
public sealed class PortalSettings
{
    public string Username { get; set; } = "dvcsync";
    public string Password { get; set; } = "dvcsync-demo";
    public string DstCode { get; set; } = "H19";
    public string MaDonVi { get; set; } = "000.00.00.H19";
    public int RateLimitPerSecond { get; set; } = 20;
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromMinutes(30);
    public string SuccessCode { get; set; } = "0";
    public string AlreadyExistsCode { get; set; } = "-3";
    public bool ErrorCodesAsNumbers { get; set; }
    public bool QuoteApplicant { get; set; }
}

/// <summary>
/// The national portal simulator's state: what it holds, its sessions, its counters and per-second histogram,
/// its behaviour switches and its faults. Thread-safe; every change applies to the next request.
/// </summary>
public sealed class PortalState
{
    private readonly object _gate = new();
    private readonly object _settingsGate = new();
    private readonly Dictionary<string, PortalRecord> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessions = new(StringComparer.Ordinal);
    private readonly ScenarioGenerator? _scenario;
    private int _rateLimit;
    private TimeSpan _latency;
    private TimeSpan _sessionTtl;
    private string _successCode;
    private string _alreadyExistsCode;
    private bool _numericCodes;
    private bool _quoteApplicant;

    public PortalState(PortalSettings settings, TimeProvider clock, ProcedureCatalogue catalogue, ScenarioGenerator? scenario = null, int faultSeed = 1)
    {
        Username = settings.Username;
        Password = settings.Password;
        DstCode = settings.DstCode;
        MaDonVi = settings.MaDonVi;
        _rateLimit = settings.RateLimitPerSecond;
        _latency = settings.Latency;
        _sessionTtl = settings.SessionTtl;
        _successCode = settings.SuccessCode;
        _alreadyExistsCode = settings.AlreadyExistsCode;
        _numericCodes = settings.ErrorCodesAsNumbers;
        _quoteApplicant = settings.QuoteApplicant;
        Clock = clock;
        Catalogue = catalogue;
        Faults = new FaultSwitch(clock, faultSeed);
        _scenario = scenario;
        if (scenario is { Options.PreloadPortal: true })
            foreach (var d in scenario.Dossiers)
                if (d.PortalSyncedAt is { } syncedAt)
                    _records[d.MaHoSo] = new PortalRecord
                    {
                        Seed = d,
                        HeldStatus = (d.PortalEvents ?? d.Events)[^1].Status,
                        NgayDongBo = syncedAt,
                    };
    }

    public TimeProvider Clock { get; }
    public ProcedureCatalogue Catalogue { get; }
    public FaultSwitch Faults { get; }
    public CallCounters Counters { get; } = new();
    public RequestHistogram Histogram { get; } = new();
    internal SlidingWindowRateLimiter RateLimiter { get; } = new();

    public string Username { get; }
    public string Password { get; }
    public string DstCode { get; }
    public string MaDonVi { get; }

    // ------------------------------------------------------------------ behaviour switches

    /// <summary>Requests admitted in any one-second window; more get HTTP 429. 0 = unlimited.</summary>
    public int RateLimitPerSecond
    {
        get { lock (_settingsGate) return _rateLimit; }
        set { lock (_settingsGate) _rateLimit = Math.Max(0, value); }
    }

    /// <summary>Wall-clock delay of every admitted request (for benchmarks).</summary>
    public TimeSpan Latency
    {
        get { lock (_settingsGate) return _latency; }
        set { lock (_settingsGate) _latency = value < TimeSpan.Zero ? TimeSpan.Zero : value; }
    }

    /// <summary>A session stays valid this long after its last use.</summary>
    public TimeSpan SessionTtl
    {
        get { lock (_settingsGate) return _sessionTtl; }
        set { lock (_settingsGate) _sessionTtl = value; }
    }

    /// <summary>"0" (default) or "00" as older adapter versions answer.</summary>
    public string SuccessCode
    {
        get { lock (_settingsGate) return _successCode; }
        set { lock (_settingsGate) _successCode = value; }
    }

    /// <summary>"-3" (default) or "3" as some adapters answer an insert of an existing dossier.</summary>
    public string AlreadyExistsCode
    {
        get { lock (_settingsGate) return _alreadyExistsCode; }
        set { lock (_settingsGate) _alreadyExistsCode = value; }
    }

    /// <summary>Answer <c>error_code</c> as a JSON number (e.g. <c>-3</c>) instead of a string: a client must accept both.</summary>
    public bool ErrorCodesAsNumbers
    {
        get { lock (_settingsGate) return _numericCodes; }
        set { lock (_settingsGate) _numericCodes = value; }
    }

    /// <summary>
    /// Refusal and failure messages quote the dossier's applicant (name in capitals without diacritics, ID numbers,
    /// phone, e-mail), as a careless adapter might: what the project keeps of the portal's words must not carry them.
    /// </summary>
    public bool QuoteApplicant
    {
        get { lock (_settingsGate) return _quoteApplicant; }
        set { lock (_settingsGate) _quoteApplicant = value; }
    }

    // ------------------------------------------------------------------ what it holds

    public int Count
    {
        get { lock (_gate) return _records.Count; }
    }

    public bool Holds(string maHoSo)
    {
        lock (_gate) return _records.ContainsKey(maHoSo);
    }

    /// <summary>The dossier as the portal holds it, with <c>NgayDongBo</c> (as <c>TraCuuHoSo</c> answers it); null if not held.</summary>
    public JsonObject? Get(string maHoSo)
    {
        PortalRecord? record;
        JsonObject? data;
        lock (_gate)
        {
            if (!_records.TryGetValue(maHoSo, out record)) return null;
            data = record.Data?.DeepClone().AsObject();
        }
        data ??= _scenario!.Build(record.Seed!, portalCopy: true);
        data["NgayDongBo"] = SimTime.Compact(record.NgayDongBo);
        return data;
    }

    /// <summary>When the portal last accepted a change of the dossier.</summary>
    public DateTimeOffset? SyncedAt(string maHoSo)
    {
        lock (_gate) return _records.TryGetValue(maHoSo, out var r) ? r.NgayDongBo : null;
    }

    /// <summary>The status the portal holds (1–10), null if not held.</summary>
    public int? HeldStatus(string maHoSo)
    {
        lock (_gate) return _records.TryGetValue(maHoSo, out var r) ? r.HeldStatus : null;
    }

    public IReadOnlyList<string> HeldCodes()
    {
        lock (_gate) return _records.Keys.ToList();
    }

    /// <summary>The steps the portal holds for a dossier, in the order received.</summary>
    public IReadOnlyList<JsonObject> StepsOf(string maHoSo)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue(maHoSo, out var r)) return [];
            return StepsLocked(r).Select(s => s.DeepClone().AsObject()).ToList();
        }
    }

    /// <summary>Stores a dossier directly (test setup), bypassing validation.</summary>
    public void Put(JsonObject dossier, DateTimeOffset? ngayDongBo = null)
    {
        var code = SimJson.Str(dossier, "MaHoSo") ?? throw new ArgumentException("The dossier has no MaHoSo.");
        var copy = dossier.DeepClone().AsObject();
        copy.Remove("NgayDongBo");
        lock (_gate)
        {
            _records.TryGetValue(code, out var old);
            _records[code] = new PortalRecord
            {
                Data = copy,
                Seed = old?.Seed,
                Steps = old?.Steps,
                HeldStatus = PortalValidator.StatusOf(copy),
                NgayDongBo = ngayDongBo ?? Clock.GetUtcNow(),
            };
        }
    }

    public bool Remove(string maHoSo)
    {
        lock (_gate) return _records.Remove(maHoSo);
    }

    public void Clear()
    {
        lock (_gate) _records.Clear();
    }

    // ------------------------------------------------------------------ sessions

    public int ActiveSessionCount
    {
        get
        {
            var now = Clock.GetUtcNow();
            var ttl = SessionTtl;
            return _sessions.Count(kv => now - kv.Value < ttl);
        }
    }

    /// <summary>Fault switch: every session expires now; the next service call answers "-2".</summary>
    public void ExpireAllSessions() => _sessions.Clear();

    /// <summary>Counters, histogram and the rate-limit window back to zero.</summary>
    public void ResetStatistics()
    {
        Counters.Reset();
        Histogram.Reset();
        RateLimiter.Reset();
    }

    internal static bool IsKnownService(string? service) => service is not null && PortalServices.All.Contains(service);

    internal JsonObject SignIn(string? username, string? password)
    {
        if (username != Username || password != Password)
            return Reply("-1", PortalMessages.WrongCredentials);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _sessions[token] = Clock.GetUtcNow();
        var reply = Reply(SuccessCode, PortalMessages.Success);
        reply["session"] = token;
        return reply;
    }

    internal bool TryUseSession(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_sessions.TryGetValue(token, out var lastUse)) return false;
        var now = Clock.GetUtcNow();
        if (now - lastUse >= SessionTtl)
        {
            _sessions.TryRemove(token, out _);
            return false;
        }
        _sessions[token] = now > lastUse ? now : lastUse;
        return true;
    }

    internal static JsonObject Reply(string code, string message) => new() { ["error_code"] = code, ["message"] = message };

    /// <summary>" (chủ hồ sơ NGUYEN VAN AN, số giấy tờ …, điện thoại 0912 345 678, thư điện tử …)" when <see cref="QuoteApplicant"/> is on; "" otherwise.</summary>
    internal string QuoteOf(JsonObject? dossier)
    {
        if (!QuoteApplicant || dossier is null) return "";
        var parts = ApplicantAsQuoted(dossier).Select(p => $"{p.Label} {p.Value}").ToList();
        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
    }

    /// <summary>
    /// The applicant's values as <see cref="QuoteApplicant"/> quotes them: the name in capitals without diacritics,
    /// every ID number, the phone grouped, the e-mail. Tests look for these in whatever the project keeps.
    /// </summary>
    public static IReadOnlyList<(string Label, string Value)> ApplicantAsQuoted(JsonObject dossier)
    {
        var parts = new List<(string, string)>();
        if (SimJson.Str(dossier, "ChuHoSo") is { Length: > 0 } name) parts.Add(("chủ hồ sơ", FakeIdentity.Ascii(name).ToUpperInvariant()));
        var ids = new List<string>();
        if (SimJson.Str(dossier, "SoGiayToChuHoSo") is { Length: > 0 } id) ids.Add(id);
        if (dossier["DinhDanhCHS"] is JsonArray identities)
            ids.AddRange(identities.OfType<JsonObject>().Select(i => SimJson.Str(i, "SoDinhDanh")).OfType<string>().Where(i => i.Length > 0));
        parts.AddRange(ids.Distinct().Select(i => ("số giấy tờ", i)));
        if (SimJson.Str(dossier, "SoDienThoai") is { Length: > 0 } phone)
            parts.Add(("điện thoại", phone.Length == 10 ? $"{phone[..4]} {phone[4..7]} {phone[7..]}" : phone));
        if (SimJson.Str(dossier, "Email") is { Length: > 0 } email) parts.Add(("thư điện tử", email));
        return parts;
    }

    /// <summary>"99": nothing applied. Quotes the applicant of the dossier the call was about, if the switch says so.</summary>
    internal JsonObject SystemError(JsonObject? body)
    {
        JsonObject? subject = null;
        if (QuoteApplicant && body is not null)
        {
            subject = body["data"] is JsonArray { Count: > 0 } data && data[0] is JsonObject first
                ? SimJson.Str(first, "ChuHoSo") is not null ? first : SimJson.Str(first, "MaHoSo") is { } stepOf ? Get(stepOf) : null
                : SimJson.Str(SimJson.GetIgnoreCase(body, "mahoso")) is { } code ? Get(code) : null;
        }
        return Reply("99", PortalMessages.SystemError + QuoteOf(subject));
    }

    // ------------------------------------------------------------------ services

    /// <summary><c>DongBoHoSoMC</c>: validate every dossier, then apply all or none.</summary>
    internal JsonObject SyncDossiers(IReadOnlyList<JsonObject> data, bool isUpdating)
    {
        var now = Clock.GetUtcNow();
        var existsCode = AlreadyExistsCode;
        var errors = new List<(string? MaHoSo, string Code, string Message)>();
        var quotes = new List<string>();
        var accepted = new List<(string MaHoSo, JsonObject Data, int Status)>();
        lock (_gate)
        {
            var staged = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var d in data)
            {
                var code = SimJson.Str(d, "MaHoSo");
                var quote = QuoteOf(d);
                var problems = PortalValidator.Validate(d, Catalogue, now);
                if (problems.Count > 0)
                {
                    errors.Add((code, "2", string.Join("; ", problems) + quote));
                    quotes.Add(quote);
                    continue;
                }
                var status = PortalValidator.StatusOf(d);
                int? held = staged.TryGetValue(code!, out var s) ? s : _records.TryGetValue(code!, out var r) ? r.HeldStatus : null;
                if (!isUpdating)
                {
                    if (held is not null)
                    {
                        errors.Add((code, existsCode, PortalMessages.AlreadyExists(code) + quote));
                        quotes.Add(quote);
                        continue;
                    }
                }
                else
                {
                    if (held is null)
                    {
                        errors.Add((code, "-4", PortalMessages.NotFound(code) + quote));
                        quotes.Add(quote);
                        continue;
                    }
                    if (PortalValidator.IsFinal(held.Value) && !PortalValidator.IsFinal(status))
                    {
                        errors.Add((code, "5", PortalMessages.FinalState(code) + quote));
                        quotes.Add(quote);
                        continue;
                    }
                }
                staged[code!] = status;
                accepted.Add((code!, d, status));
            }

            if (errors.Count == 0)
            {
                foreach (var (code, d, status) in accepted)
                {
                    var copy = d.DeepClone().AsObject();
                    copy.Remove("NgayDongBo");
                    _records.TryGetValue(code, out var old);
                    _records[code] = new PortalRecord
                    {
                        Data = copy,
                        Seed = old?.Seed,
                        Steps = old?.Steps,
                        HeldStatus = status,
                        NgayDongBo = now,
                    };
                }
            }
        }
        return errors.Count == 0 ? Reply(SuccessCode, PortalMessages.Success) : Refusal(errors, quotes[0]);
    }

    /// <summary><c>CapNhatTienDoHoSoMC</c>: steps keyed by (MaHoSo, ThoiDiemXuLy, TrangThai); all or none.</summary>
    internal JsonObject SyncSteps(IReadOnlyList<JsonObject> steps)
    {
        var errors = new List<(string? MaHoSo, string Code, string Message)>();
        lock (_gate)
        {
            foreach (var step in steps)
            {
                var code = SimJson.Str(step, "MaHoSo");
                if (SimJson.IsBlank(code)) errors.Add((code, "2", "MaHoSo không được để trống"));
                else if (SimJson.Str(step, "NguoiXuLy") is { Length: > 50 }) errors.Add((code, "2", "NguoiXuLy dài quá 50 ký tự"));
                else if (!_records.ContainsKey(code!)) errors.Add((code, "-4", PortalMessages.NotFound(code)));
            }
            if (errors.Count == 0)
            {
                foreach (var step in steps)
                {
                    var record = _records[SimJson.Str(step, "MaHoSo")!];
                    var list = StepsLocked(record);
                    var key = StepKey(step);
                    var copy = step.DeepClone().AsObject();
                    var at = list.FindIndex(s => StepKey(s) == key);
                    if (at >= 0) list[at] = copy;
                    else list.Add(copy);
                }
            }
        }
        return errors.Count == 0 ? Reply(SuccessCode, PortalMessages.Success) : Refusal(errors, "");
    }

    internal JsonObject Lookup(string maHoSo)
    {
        var reply = Reply(SuccessCode, PortalMessages.Success);
        var held = Get(maHoSo);
        reply["result"] = held is null ? new JsonArray() : new JsonArray(held);
        return reply;
    }

    internal JsonObject Procedure(string maTTHC)
    {
        var reply = Reply(SuccessCode, PortalMessages.Success);
        var p = Catalogue.Find(maTTHC);
        reply["result"] = p is null ? new JsonArray() : new JsonArray(ProcedureCatalogue.ToPortalJson(p));
        return reply;
    }

    /// <param name="firstQuote">What <see cref="QuoteOf"/> made of the first offending dossier, for the reply's own message.</param>
    private static JsonObject Refusal(List<(string? MaHoSo, string Code, string Message)> errors, string firstQuote)
    {
        var first = errors[0];
        var reply = Reply(first.Code, first.Code == "2" ? PortalMessages.InvalidData + firstQuote : first.Message);
        reply["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
        {
            ["MaHoSo"] = e.MaHoSo,
            ["error_code"] = e.Code,
            ["message"] = e.Message,
        }).ToArray());
        return reply;
    }

    private static string StepKey(JsonObject step) =>
        $"{SimJson.Str(step, "MaHoSo")}\u001f{SimJson.Str(step, "ThoiDiemXuLy")}\u001f{SimJson.Str(step, "TrangThai")}";

    private List<JsonObject> StepsLocked(PortalRecord r) =>
        r.Steps ??= r.Seed is not null && _scenario is not null ? _scenario.BuildSteps(r.Seed, portalCopy: true) : [];

    private sealed class PortalRecord
    {
        public SeedDossier? Seed { get; init; }
        public JsonObject? Data { get; init; }
        public List<JsonObject>? Steps { get; set; }
        public int HeldStatus { get; init; }
        public DateTimeOffset NgayDongBo { get; init; }
    }
}
