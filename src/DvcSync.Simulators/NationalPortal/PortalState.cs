using System.Text.Json.Nodes;
using DvcSync.Core.Ports;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>
/// The national portal simulator's state: what it holds, its sessions, its counters and per-second histogram,
/// its behaviour switches and its faults. Thread-safe; every change applies to the next request.
/// </summary>
public sealed class PortalState
{
    private readonly object _gate = new();
    private readonly object _settingsGate = new();
    private readonly Dictionary<string, PortalRecord> _records = new(StringComparer.Ordinal);
    private readonly PortalSessions _sessions;
    private readonly ScenarioGenerator? _scenario;
    private volatile Behaviour _behaviour;

    public PortalState(PortalSettings settings, TimeProvider clock, ProcedureCatalogue catalogue, ScenarioGenerator? scenario = null, int faultSeed = 1)
    {
        Username = settings.Username;
        Password = settings.Password;
        DstCode = settings.DstCode;
        MaDonVi = settings.MaDonVi;
        _behaviour = new Behaviour(settings.RateLimitPerSecond, settings.Latency, settings.SessionTtl, settings.SuccessCode,
            settings.AlreadyExistsCode, settings.ErrorCodesAsNumbers, settings.QuoteApplicant);
        _sessions = new PortalSessions(clock, () => SessionTtl);
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
    public int RateLimitPerSecond { get => _behaviour.RateLimitPerSecond; set => Change(b => b with { RateLimitPerSecond = Math.Max(0, value) }); }

    /// <summary>Wall-clock delay of every admitted request (for benchmarks).</summary>
    public TimeSpan Latency { get => _behaviour.Latency; set => Change(b => b with { Latency = value < TimeSpan.Zero ? TimeSpan.Zero : value }); }

    /// <summary>A session stays valid this long after its last use.</summary>
    public TimeSpan SessionTtl { get => _behaviour.SessionTtl; set => Change(b => b with { SessionTtl = value }); }

    /// <summary>"0" (default) or "00" as older adapter versions answer.</summary>
    public string SuccessCode { get => _behaviour.SuccessCode; set => Change(b => b with { SuccessCode = value }); }

    /// <summary>"-3" (default) or "3" as some adapters answer an insert of an existing dossier.</summary>
    public string AlreadyExistsCode { get => _behaviour.AlreadyExistsCode; set => Change(b => b with { AlreadyExistsCode = value }); }

    /// <summary>Answer <c>error_code</c> as a JSON number (e.g. <c>-3</c>) instead of a string: a client must accept both.</summary>
    public bool ErrorCodesAsNumbers { get => _behaviour.ErrorCodesAsNumbers; set => Change(b => b with { ErrorCodesAsNumbers = value }); }

    /// <summary>
    /// Refusal and failure messages quote the dossier's applicant (name in capitals without diacritics, ID numbers,
    /// phone, e-mail), as a careless adapter might: what the project keeps of the portal's words must not carry them.
    /// </summary>
    public bool QuoteApplicant { get => _behaviour.QuoteApplicant; set => Change(b => b with { QuoteApplicant = value }); }

    /// <summary>The switches together, replaced whole: a request reads one consistent set.</summary>
    private sealed record Behaviour(int RateLimitPerSecond, TimeSpan Latency, TimeSpan SessionTtl, string SuccessCode, string AlreadyExistsCode,
        bool ErrorCodesAsNumbers, bool QuoteApplicant);

    private void Change(Func<Behaviour, Behaviour> edit)
    {
        lock (_settingsGate) _behaviour = edit(_behaviour);
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
        data ??= _scenario!.Json.Build(record.Seed!, portalCopy: true);
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
        lock (_gate) StoreLocked(code, copy, PortalValidator.StatusOf(copy), ngayDongBo ?? Clock.GetUtcNow());
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

    public int ActiveSessionCount => _sessions.ActiveCount;

    /// <summary>Fault switch: every session expires now; the next service call answers "-2".</summary>
    public void ExpireAllSessions() => _sessions.ExpireAll();

    /// <summary>Counters, histogram and the rate-limit window back to zero.</summary>
    public void ResetStatistics()
    {
        Counters.Reset();
        Histogram.Reset();
        RateLimiter.Reset();
    }

    internal JsonObject SignIn(string? username, string? password)
    {
        if (username != Username || password != Password)
            return PortalMessages.Reply("-1", PortalMessages.WrongCredentials);
        var reply = PortalMessages.Reply(SuccessCode, PortalMessages.Success);
        reply["session"] = _sessions.Open();
        return reply;
    }

    internal bool TryUseSession(string? token) => _sessions.TryUse(token);


    /// <summary>" (chủ hồ sơ NGUYEN VAN AN, số giấy tờ …, điện thoại 0912 345 678, thư điện tử …)" when <see cref="QuoteApplicant"/> is on; "" otherwise.</summary>
    internal string QuoteOf(JsonObject? dossier)
    {
        if (!QuoteApplicant || dossier is null) return "";
        var parts = PortalMessages.ApplicantAsQuoted(dossier).Select(p => $"{p.Label} {p.Value}").ToList();
        return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
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
        return PortalMessages.Reply("99", PortalMessages.SystemError + QuoteOf(subject));
    }

    /// <summary><c>DongBoHoSoMC</c>: validate every dossier, then apply all or none (counted in <see cref="CallCounters.DossiersApplied"/>).</summary>
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
                var (refusal, status) = JudgeLocked(d, code, isUpdating, staged, now, existsCode);
                if (refusal is { } r)
                {
                    errors.Add((code, r.Code, r.Message + quote));
                    quotes.Add(quote);
                    continue;
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
                    StoreLocked(code, copy, status, now);
                }
                Counters.Applied(accepted.Count);
            }
        }
        return errors.Count == 0 ? PortalMessages.Reply(SuccessCode, PortalMessages.Success) : Refusal(errors, quotes[0]);
    }

    /// <summary>Why <c>DongBoHoSoMC</c> refuses this dossier, given what is held and staged before it (null when it does not), and its status.</summary>
    private ((string Code, string Message)? Refusal, int Status) JudgeLocked(JsonObject d, string? code, bool isUpdating,
        Dictionary<string, int> staged, DateTimeOffset now, string existsCode)
    {
        var problems = PortalValidator.Validate(d, Catalogue, now);
        if (problems.Count > 0) return (("2", string.Join("; ", problems)), 0);
        var status = PortalValidator.StatusOf(d);
        int? held = staged.TryGetValue(code!, out var s) ? s : _records.TryGetValue(code!, out var r) ? r.HeldStatus : null;
        if (!isUpdating) return (held is null ? null : (existsCode, PortalMessages.AlreadyExists(code)), status);
        if (held is null) return (("-4", PortalMessages.NotFound(code)), status);
        if (PortalValidator.IsFinal(held.Value) && !PortalValidator.IsFinal(status)) return (("5", PortalMessages.FinalState(code)), status);
        return (null, status);
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
        return errors.Count == 0 ? PortalMessages.Reply(SuccessCode, PortalMessages.Success) : Refusal(errors, "");
    }

    internal JsonObject Lookup(string maHoSo)
    {
        var reply = PortalMessages.Reply(SuccessCode, PortalMessages.Success);
        var held = Get(maHoSo);
        reply["result"] = held is null ? new JsonArray() : new JsonArray(held);
        return reply;
    }

    internal JsonObject Procedure(string maTTHC)
    {
        var reply = PortalMessages.Reply(SuccessCode, PortalMessages.Success);
        var p = Catalogue.Find(maTTHC);
        reply["result"] = p is null ? new JsonArray() : new JsonArray(ProcedureCatalogue.ToPortalJson(p));
        return reply;
    }

    /// <param name="firstQuote">What <see cref="QuoteOf"/> made of the first offending dossier, for the reply's own message.</param>
    private static JsonObject Refusal(List<(string? MaHoSo, string Code, string Message)> errors, string firstQuote)
    {
        var first = errors[0];
        var reply = PortalMessages.Reply(first.Code, first.Code == "2" ? PortalMessages.InvalidData + firstQuote : first.Message);
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

    /// <summary>The dossier's new copy; the steps it holds stay.</summary>
    private void StoreLocked(string code, JsonObject data, int status, DateTimeOffset at)
    {
        _records.TryGetValue(code, out var old);
        _records[code] = new PortalRecord { Data = data, Seed = old?.Seed, Steps = old?.Steps, HeldStatus = status, NgayDongBo = at };
    }

    private List<JsonObject> StepsLocked(PortalRecord r) =>
        r.Steps ??= r.Seed is not null && _scenario is not null ? _scenario.Json.BuildSteps(r.Seed, portalCopy: true) : [];

    private sealed class PortalRecord
    {
        public SeedDossier? Seed { get; init; }
        public JsonObject? Data { get; init; }
        public List<JsonObject>? Steps { get; set; }
        public int HeldStatus { get; init; }
        public DateTimeOffset NgayDongBo { get; init; }
    }
}
