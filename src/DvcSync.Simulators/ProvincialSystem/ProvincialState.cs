using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>Client credentials and token lifetime of the provincial simulator.</summary>
public sealed class ProvincialSettings
{
    public string ClientId { get; set; } = "dvcsync";
    public string ClientSecret { get; set; } = "dvcsync-demo-secret";
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
}

/// <summary>A dossier as the provincial API serves it: <see cref="Item"/> is the full JSON with NgayCapNhat, PhienBan, TrangThaiDongBo, LoiDongBo.</summary>
public sealed record ProvincialDossier(string MaHoSo, JsonObject Item, DateTimeOffset NgayCapNhat, long PhienBan, string TrangThaiDongBo, string LoiDongBo);

/// <summary>One row of <c>thongke/tiepnhan</c>.</summary>
public readonly record struct ReceivedCount(string MaDonVi, DateOnly Ngay, int SoHoSoTiepNhan);

/// <summary>Keyset position: (NgayCapNhat in whole seconds, MaHoSo).</summary>
internal readonly record struct PageKey(long Seconds, string MaHoSo) : IComparable<PageKey>
{
    public int CompareTo(PageKey other)
    {
        var c = Seconds.CompareTo(other.Seconds);
        return c != 0 ? c : string.CompareOrdinal(MaHoSo, other.MaHoSo);
    }
}

/// <summary>
/// The provincial system simulator's state: dossiers (seeded lazily, or changed/added at run time), agencies,
/// tokens, counters and faults. Thread-safe. The mutation methods are what a test or the demo uses to make the
/// source change under the sync.
/// </summary>
public sealed class ProvincialState
{
    private readonly object _gate = new();
    private readonly object _settingsGate = new();
    private readonly Dictionary<string, Record> _byCode = new(StringComparer.Ordinal);
    private readonly SortedSet<PageKey> _order = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly ScenarioGenerator? _scenario;
    private readonly ProcedureCatalogue _catalogue;
    private TimeSpan _tokenLifetime;
    private TimeSpan _latency;

    public ProvincialState(ProvincialSettings settings, TimeProvider clock, ScenarioGenerator? scenario = null, int faultSeed = 2)
    {
        ClientId = settings.ClientId;
        ClientSecret = settings.ClientSecret;
        _tokenLifetime = settings.TokenLifetime;
        _latency = settings.Latency;
        Clock = clock;
        Faults = new FaultSwitch(clock, faultSeed);
        _scenario = scenario;
        _catalogue = scenario?.Catalogue ?? ProcedureCatalogue.Default;
        Agencies = scenario?.Agencies ?? [];
        if (scenario is null) return;
        foreach (var d in scenario.Dossiers) Insert(FromSeed(d));
    }

    public TimeProvider Clock { get; }
    public FaultSwitch Faults { get; }
    public CallCounters Counters { get; } = new();
    public string ClientId { get; }
    public string ClientSecret { get; }
    public IReadOnlyList<Agency> Agencies { get; }

    public TimeSpan TokenLifetime
    {
        get { lock (_settingsGate) return _tokenLifetime; }
        set { lock (_settingsGate) _tokenLifetime = value; }
    }

    /// <summary>Wall-clock delay of every API request (for benchmarks).</summary>
    public TimeSpan Latency
    {
        get { lock (_settingsGate) return _latency; }
        set { lock (_settingsGate) _latency = value < TimeSpan.Zero ? TimeSpan.Zero : value; }
    }

    // ------------------------------------------------------------------ reading

    public int Count
    {
        get { lock (_gate) return _byCode.Count; }
    }

    public IReadOnlyList<string> Codes()
    {
        lock (_gate) return _byCode.Keys.ToList();
    }

    public bool Contains(string maHoSo)
    {
        lock (_gate) return _byCode.ContainsKey(maHoSo);
    }

    public ProvincialDossier? Get(string maHoSo)
    {
        Pending p;
        lock (_gate)
        {
            if (!_byCode.TryGetValue(maHoSo, out var r)) return null;
            p = Capture(r);
        }
        return View(p);
    }

    /// <summary>The dossier without the provincial system's own fields (what it would push to the portal).</summary>
    public JsonObject? GetDossier(string maHoSo)
    {
        var item = Get(maHoSo)?.Item;
        if (item is null) return null;
        foreach (var meta in MetaFields) item.Remove(meta);
        return item;
    }

    /// <summary>Steps (tiendo) in time order; null for an unknown dossier.</summary>
    public IReadOnlyList<JsonObject>? StepsOf(string maHoSo)
    {
        lock (_gate)
        {
            if (!_byCode.TryGetValue(maHoSo, out var r)) return null;
            var steps = r.Steps?.Select(s => s.DeepClone().AsObject()).ToList() ?? _scenario!.BuildSteps(r.Seed!, portalCopy: false);
            return steps.OrderBy(s => SimJson.Str(s, "ThoiDiemXuLy"), StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Dossiers received (true NgayTiepNhan, UTC+7 days, both inclusive) per agency and day, as <c>thongke/tiepnhan</c> answers.</summary>
    public IReadOnlyList<ReceivedCount> ReceivedCounts(DateOnly from, DateOnly to)
    {
        var counts = new Dictionary<(string, DateOnly), int>();
        lock (_gate)
            foreach (var r in _byCode.Values)
            {
                if (r.ReceivedAt is not { } at) continue;
                var day = SimTime.LocalDate(at);
                if (day < from || day > to) continue;
                counts[(r.MaDonVi, day)] = counts.GetValueOrDefault((r.MaDonVi, day)) + 1;
            }
        return counts.OrderBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2)
            .Select(kv => new ReceivedCount(kv.Key.Item1, kv.Key.Item2, kv.Value)).ToList();
    }

    /// <summary>Total received in the range, for one agency (its own dossiers only) or all.</summary>
    public int ReceivedTotal(DateOnly from, DateOnly to, string? maDonVi = null) =>
        ReceivedCounts(from, to).Where(c => maDonVi is null || c.MaDonVi == maDonVi).Sum(c => c.SoHoSoTiepNhan);

    /// <summary>The codes of the dossiers received in the range (what <see cref="ReceivedCounts"/> counts).</summary>
    public IReadOnlyList<string> ReceivedCodes(DateOnly from, DateOnly to, string? maDonVi = null)
    {
        lock (_gate)
            return _byCode.Values.Where(r => r.ReceivedAt is { } at && SimTime.LocalDate(at) >= from && SimTime.LocalDate(at) <= to
                                             && (maDonVi is null || r.MaDonVi == maDonVi))
                .Select(r => r.MaHoSo).ToList();
    }

    // ------------------------------------------------------------------ mutation API

    /// <summary>Sets fields of a dossier (a JSON null removes the field); bumps PhienBan and NgayCapNhat.</summary>
    public ProvincialDossier Change(string maHoSo, JsonObject changes, string? trangThaiDongBo = null, string? loiDongBo = null) =>
        Change(maHoSo, d =>
        {
            foreach (var (key, value) in changes)
            {
                if (value is null) d.Remove(key);
                else d[key] = value.DeepClone();
            }
        }, trangThaiDongBo, loiDongBo);

    /// <summary>Edits a dossier's JSON; bumps PhienBan and NgayCapNhat (to now, and always later than before, so it moves to a later paging position).</summary>
    public ProvincialDossier Change(string maHoSo, Action<JsonObject> edit, string? trangThaiDongBo = null, string? loiDongBo = null) =>
        ChangeCore(maHoSo, edit, trangThaiDongBo, loiDongBo, null);

    /// <summary>
    /// Moves a dossier to a new status with consistent dates (2: NgayTiepNhan if missing; 3: NgayTuChoi; 8, 9:
    /// NgayKetThucXuLy; 10: NgayTra and NgayKetThucXuLy if missing) and appends a step.
    /// </summary>
    public ProvincialDossier SetStatus(string maHoSo, int status, DateTimeOffset? at = null)
    {
        if (status is < 1 or > 10) throw new ArgumentOutOfRangeException(nameof(status));
        var when = SimTime.TruncateToSeconds(at ?? Clock.GetUtcNow());
        var text = SimTime.Compact(when);
        return ChangeCore(maHoSo, d =>
        {
            d["TrangThaiHoSo"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            switch (status)
            {
                case 2 when SimJson.IsBlank(SimJson.Str(d, "NgayTiepNhan")):
                    d["NgayTiepNhan"] = text;
                    break;
                case 3:
                    d["NgayTuChoi"] = text;
                    break;
                case 8 or 9:
                    d["NgayKetThucXuLy"] = text;
                    break;
                case 10:
                    if (SimJson.IsBlank(SimJson.Str(d, "NgayKetThucXuLy"))) d["NgayKetThucXuLy"] = text;
                    d["NgayTra"] = text;
                    break;
            }
        }, null, null, (status, when));
    }

    /// <summary>Sets the source's own sync flag without changing the dossier (no new version).</summary>
    public ProvincialDossier SetSyncFlag(string maHoSo, string trangThaiDongBo, string loiDongBo = "")
    {
        lock (_gate)
        {
            var r = Find(maHoSo);
            _byCode[maHoSo] = r with { TrangThaiDongBo = trangThaiDongBo, LoiDongBo = loiDongBo };
        }
        return Get(maHoSo)!;
    }

    /// <summary>Adds a dossier given as JSON (received now unless it says otherwise); PhienBan 1, NgayCapNhat now.</summary>
    public ProvincialDossier Add(JsonObject dossier, IEnumerable<JsonObject>? steps = null, string trangThaiDongBo = "0", string loiDongBo = "")
    {
        var code = SimJson.Str(dossier, "MaHoSo");
        if (SimJson.IsBlank(code)) throw new ArgumentException("The dossier has no MaHoSo.");
        var copy = dossier.DeepClone().AsObject();
        foreach (var meta in MetaFields) copy.Remove(meta);
        var now = SimTime.TruncateToSeconds(Clock.GetUtcNow());
        DateTimeOffset? receivedAt = SimTime.TryParseCompact(SimJson.Str(copy, "NgayTiepNhan"), out var at) ? at : null;
        var maDonVi = SimJson.Str(copy, "MaDonVi") ?? "";
        lock (_gate)
        {
            if (_byCode.ContainsKey(code!)) throw new ArgumentException($"Dossier {code} already exists.");
            Insert(new Record
            {
                MaHoSo = code!,
                Override = copy,
                Steps = steps?.Select(s => s.DeepClone().AsObject()).ToList() ?? [],
                MaDonVi = maDonVi,
                ReceivedAt = receivedAt,
                NgayCapNhat = now,
                PhienBan = 1,
                TrangThaiDongBo = trangThaiDongBo,
                LoiDongBo = loiDongBo,
            });
        }
        var problems = PortalValidator.Validate(copy, _catalogue, now);
        _scenario?.Truth.Add(new TruthEntry(code!, maDonVi, DossierCategory.AddedAtRuntime, RefusalKind.None, PortalValidator.StatusOf(copy),
            receivedAt, receivedAt is not null, false, false, trangThaiDongBo, problems.Count == 0 ? "0" : "2"));
        return Get(code!)!;
    }

    /// <summary>Adds <paramref name="count"/> realistic dossiers received in the last half hour (by one agency, or random active ones).</summary>
    public IReadOnlyList<ProvincialDossier> AddGenerated(int count, string? maDonVi = null)
    {
        if (_scenario is null) throw new InvalidOperationException("No scenario to generate from.");
        var added = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var seed = _scenario.CreateRuntimeDossier(Clock.GetUtcNow(), maDonVi);
            lock (_gate) Insert(FromSeed(seed));
            added.Add(seed.MaHoSo);
        }
        return added.Select(c => Get(c)!).ToList();
    }

    /// <summary>
    /// A busy day at the source: moves up to <paramref name="count"/> dossiers that are still being processed one step
    /// further (2→4, 4→9, 5→4, 6→4, 9→10), each with a new PhienBan, NgayCapNhat now and a new step. The portal keeps
    /// the copy it had, which is now stale. Which dossiers is decided by <paramref name="seed"/>; fewer than asked are
    /// changed only when fewer are in progress.
    /// </summary>
    /// <returns>The codes changed, in the order they were changed.</returns>
    public IReadOnlyList<string> AdvanceInProgress(int count, int seed)
    {
        List<(string MaHoSo, int Next)> eligible;
        lock (_gate)
        {
            eligible = new List<(string, int)>();
            foreach (var key in _order)
            {
                var r = _byCode[key.MaHoSo];
                var status = r.Override is { } o ? SimJson.Int(o["TrangThaiHoSo"]) : r.Seed?.Status;
                if (NextStatus(status) is { } next) eligible.Add((r.MaHoSo, next));
            }
        }
        // A partial Fisher-Yates shuffle: the first `count` are a uniform sample, the same for the same seed and state.
        var random = new Random(seed);
        var take = Math.Min(Math.Max(count, 0), eligible.Count);
        for (var i = 0; i < take; i++)
        {
            var j = random.Next(i, eligible.Count);
            (eligible[i], eligible[j]) = (eligible[j], eligible[i]);
        }
        var changed = new List<string>(take);
        foreach (var (code, next) in eligible.Take(take))
        {
            SetStatus(code, next);
            changed.Add(code);
        }
        return changed;
    }

    private static int? NextStatus(int? status) => status switch
    {
        2 or 5 or 6 => 4,
        4 => 9,
        9 => 10,
        _ => null,
    };

    /// <summary>
    /// Every dossier's identifying fields (MaHoSo, MaDonVi, TrangThaiHoSo, NgayTiepNhan) and the provincial system's
    /// own (NgayCapNhat, PhienBan, TrangThaiDongBo, LoiDongBo), equal to what the API serves, in paging order; the rest
    /// of each dossier is not generated. For loading a ledger of a million dossiers straight into storage.
    /// </summary>
    public IEnumerable<JsonObject> Headers()
    {
        List<(Record Record, JsonObject? FromOverride)> snapshot;
        lock (_gate)
        {
            snapshot = new List<(Record, JsonObject?)>(_byCode.Count);
            foreach (var key in _order)
            {
                var r = _byCode[key.MaHoSo];
                JsonObject? fromOverride = null;
                if (r.Override is { } o)
                {
                    fromOverride = new JsonObject();
                    foreach (var field in HeaderFields)
                        if (o.TryGetPropertyValue(field, out var value)) fromOverride[field] = value?.DeepClone();
                }
                snapshot.Add((r, fromOverride));
            }
        }
        foreach (var (r, fromOverride) in snapshot)
        {
            var header = fromOverride ?? _scenario!.BuildHeader(r.Seed!);
            header["NgayCapNhat"] = ScenarioGenerator.ExportsNoChangeDate(r.Seed, header) ? ScenarioGenerator.NoDateMarker : SimTime.Compact(r.NgayCapNhat);
            header["PhienBan"] = r.PhienBan;
            header["TrangThaiDongBo"] = r.TrangThaiDongBo;
            header["LoiDongBo"] = r.LoiDongBo;
            yield return header;
        }
    }

    private static readonly string[] HeaderFields = ["MaHoSo", "MaDonVi", "TrangThaiHoSo", "NgayTiepNhan"];

    // ------------------------------------------------------------------ tokens

    public int ActiveTokenCount
    {
        get
        {
            var now = Clock.GetUtcNow();
            return _tokens.Count(kv => kv.Value > now);
        }
    }

    /// <summary>Fault switch: every token issued so far is invalid from now on (HTTP 401).</summary>
    public void RevokeAllTokens() => _tokens.Clear();

    internal (string Token, int ExpiresIn) IssueToken()
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var lifetime = TokenLifetime;
        _tokens[token] = Clock.GetUtcNow() + lifetime;
        foreach (var kv in _tokens)
            if (kv.Value <= Clock.GetUtcNow()) _tokens.TryRemove(kv.Key, out _);
        return (token, (int)lifetime.TotalSeconds);
    }

    internal bool IsTokenValid(string? token) =>
        token is not null && _tokens.TryGetValue(token, out var expires) && Clock.GetUtcNow() < expires;

    // ------------------------------------------------------------------ paging

    /// <summary>Items with from ≤ NgayCapNhat &lt; to after the cursor position, in (NgayCapNhat, MaHoSo) order.</summary>
    internal (List<JsonObject> Items, PageKey? Next) Page(DateTimeOffset from, DateTimeOffset to, int limit, PageKey? after)
    {
        var captured = new List<Pending>(limit);
        var more = false;
        lock (_gate)
        {
            var ticks = from.UtcTicks - DateTime.UnixEpoch.Ticks;
            var lowerSeconds = ticks / TimeSpan.TicksPerSecond + (ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
            var lower = new PageKey(lowerSeconds, "");
            if (after is { } a && a.CompareTo(lower) > 0) lower = a;
            if (lower.CompareTo(new PageKey(long.MaxValue, "")) < 0)
                foreach (var key in _order.GetViewBetween(lower, new PageKey(long.MaxValue, "")))
                {
                    if (after is { } c && key.CompareTo(c) <= 0) continue;
                    if (DateTimeOffset.FromUnixTimeSeconds(key.Seconds) >= to) break;
                    if (captured.Count == limit)
                    {
                        more = true;
                        break;
                    }
                    captured.Add(Capture(_byCode[key.MaHoSo]));
                }
        }
        var items = captured.Select(p => View(p).Item).ToList();
        PageKey? next = more ? captured[^1].Record.Key : null;
        return (items, next);
    }

    // ------------------------------------------------------------------ internals

    private static readonly string[] MetaFields = ["NgayCapNhat", "PhienBan", "TrangThaiDongBo", "LoiDongBo"];

    private ProvincialDossier ChangeCore(string maHoSo, Action<JsonObject> edit, string? flag, string? error, (int Status, DateTimeOffset At)? step)
    {
        lock (_gate)
        {
            var r = Find(maHoSo);
            var dossier = r.Override?.DeepClone().AsObject() ?? _scenario!.Build(r.Seed!, portalCopy: false);
            var receivedBefore = SimJson.Str(dossier, "NgayTiepNhan");
            edit(dossier);
            foreach (var meta in MetaFields) dossier.Remove(meta);
            if (SimJson.Str(dossier, "MaHoSo") != maHoSo) throw new ArgumentException("MaHoSo cannot change.");
            var receivedAfter = SimJson.Str(dossier, "NgayTiepNhan");
            var receivedAt = r.ReceivedAt;
            if (receivedAfter != receivedBefore)
            {
                if (SimJson.IsBlank(receivedAfter)) receivedAt = null;
                else if (SimTime.TryParseCompact(receivedAfter, out var parsed)) receivedAt = parsed;
            }
            var steps = r.Steps?.ToList() ?? _scenario?.BuildSteps(r.Seed!, portalCopy: false) ?? [];
            if (step is { } s)
                steps.Add(ScenarioGenerator.Step(maHoSo, s.Status, s.At, SimJson.Str(dossier, "NgayHenTra") ?? "", "Cán bộ xử lý"));
            var now = SimTime.TruncateToSeconds(Clock.GetUtcNow());
            var next = r with
            {
                Override = dossier,
                Steps = steps,
                MaDonVi = SimJson.Str(dossier, "MaDonVi") ?? r.MaDonVi,
                ReceivedAt = receivedAt,
                NgayCapNhat = now > r.NgayCapNhat ? now : r.NgayCapNhat.AddSeconds(1),
                PhienBan = r.PhienBan + 1,
                TrangThaiDongBo = flag ?? r.TrangThaiDongBo,
                LoiDongBo = error ?? r.LoiDongBo,
            };
            _order.Remove(r.Key);
            _order.Add(next.Key);
            _byCode[maHoSo] = next;
        }
        return Get(maHoSo)!;
    }

    private Record Find(string maHoSo) =>
        _byCode.TryGetValue(maHoSo, out var r) ? r : throw new KeyNotFoundException($"Unknown dossier {maHoSo}.");

    private Record FromSeed(SeedDossier d) => new()
    {
        MaHoSo = d.MaHoSo,
        Seed = d,
        MaDonVi = _scenario!.Agencies[d.AgencyIndex].MaDonVi,
        ReceivedAt = d.ReceivedWithoutDate ? null : d.ReceivedAt,
        NgayCapNhat = d.NgayCapNhat,
        PhienBan = d.PhienBan,
        TrangThaiDongBo = d.SyncFlag,
        LoiDongBo = d.SyncError,
    };

    private void Insert(Record r)
    {
        _byCode[r.MaHoSo] = r;
        _order.Add(r.Key);
    }

    /// <summary>A record and, if it is held as JSON, a private clone of it taken under the lock.</summary>
    private readonly record struct Pending(Record Record, JsonObject? Copy);

    private static Pending Capture(Record r) => new(r, r.Override?.DeepClone().AsObject());

    private ProvincialDossier View(Pending p)
    {
        var r = p.Record;
        var item = p.Copy ?? _scenario!.Build(r.Seed!, portalCopy: false);
        item["NgayCapNhat"] = ScenarioGenerator.ExportsNoChangeDate(r.Seed, item) ? ScenarioGenerator.NoDateMarker : SimTime.Compact(r.NgayCapNhat);
        item["PhienBan"] = r.PhienBan;
        item["TrangThaiDongBo"] = r.TrangThaiDongBo;
        item["LoiDongBo"] = r.LoiDongBo;
        return new ProvincialDossier(r.MaHoSo, item, r.NgayCapNhat, r.PhienBan, r.TrangThaiDongBo, r.LoiDongBo);
    }

    private sealed record Record
    {
        public required string MaHoSo { get; init; }
        public SeedDossier? Seed { get; init; }
        public JsonObject? Override { get; init; }
        public List<JsonObject>? Steps { get; init; }
        public required string MaDonVi { get; init; }
        public DateTimeOffset? ReceivedAt { get; init; }
        public required DateTimeOffset NgayCapNhat { get; init; }
        public required long PhienBan { get; init; }
        public required string TrangThaiDongBo { get; init; }
        public required string LoiDongBo { get; init; }
        public PageKey Key => new(NgayCapNhat.ToUnixTimeSeconds(), MaHoSo);
    }
}
