using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>
/// The provincial system simulator's state: dossiers (seeded lazily, or changed/added at run time), agencies,
/// tokens, counters and faults. Thread-safe. The mutation methods are what a test or the demo uses to make the
/// source change under the sync.
/// </summary>
public sealed partial class ProvincialState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, Record> _byCode = new(StringComparer.Ordinal);
    private readonly SortedSet<PageKey> _order = new();
    private readonly ProvincialTokens _tokens;
    private readonly ScenarioGenerator? _scenario;
    private readonly ProcedureCatalogue _catalogue;
    private long _latencyTicks;

    public ProvincialState(ProvincialSettings settings, TimeProvider clock, ScenarioGenerator? scenario = null, int faultSeed = 2)
    {
        ClientId = settings.ClientId;
        ClientSecret = settings.ClientSecret;
        _tokens = new ProvincialTokens(clock, settings.TokenLifetime);
        Latency = settings.Latency;
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

    private volatile IReadOnlySet<string> _unlisted = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>What <c>GET /api/v1/donvi</c> answers: the agencies, less those a reorganisation took off the list.</summary>
    public IEnumerable<Agency> ListedAgencies => Agencies.Where(a => !_unlisted.Contains(a.MaDonVi));

    /// <summary>
    /// Takes the given agencies, those of the given levels, and every agency below them off the list (their dossiers
    /// stay), as the list after the July 2025 reorganisation no longer names the districts and their wards. Replaces
    /// what an earlier call took off; empty arguments list every agency again.
    /// </summary>
    /// <returns>The codes taken off.</returns>
    public IReadOnlyCollection<string> Unlist(IReadOnlyCollection<string> codes, IReadOnlyCollection<string> levels)
    {
        var unlisted = new HashSet<string>(Agencies.Where(a => codes.Contains(a.MaDonVi) || levels.Contains(a.Cap)).Select(a => a.MaDonVi), StringComparer.Ordinal);
        for (var grew = true; grew;)
        {
            var below = Agencies.Where(a => a.MaDonViCha is { } parent && unlisted.Contains(parent) && !unlisted.Contains(a.MaDonVi)).ToList();
            foreach (var agency in below) unlisted.Add(agency.MaDonVi);
            grew = below.Count > 0;
        }
        _unlisted = unlisted;
        return unlisted;
    }

    public TimeSpan TokenLifetime { get => _tokens.Lifetime; set => _tokens.Lifetime = value; }

    /// <summary>Wall-clock delay of every API request (for benchmarks).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _latencyTicks));
        set => Volatile.Write(ref _latencyTicks, Math.Max(0, value.Ticks));
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
            var steps = r.Steps?.Select(s => s.DeepClone().AsObject()).ToList() ?? _scenario!.Json.BuildSteps(r.Seed!, portalCopy: false);
            return steps.OrderBy(s => SimJson.Str(s, "ThoiDiemXuLy"), StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Dossiers received (true NgayTiepNhan, UTC+7 days, both inclusive) per agency and day, as <c>thongke/tiepnhan</c> answers.</summary>
    public IReadOnlyList<ReceivedCount> ReceivedCounts(DateOnly from, DateOnly to)
    {
        var counts = new Dictionary<(string, DateOnly), int>();
        lock (_gate)
        {
            foreach (var r in _byCode.Values)
            {
                if (r.ReceivedAt is not { } at) continue;
                var day = SimTime.LocalDate(at);
                if (day < from || day > to) continue;
                counts[(r.MaDonVi, day)] = counts.GetValueOrDefault((r.MaDonVi, day)) + 1;
            }
            foreach (var ((agency, day), delta) in _countCorrections)
                if (day >= from && day <= to) counts[(agency, day)] = Math.Max(0, counts.GetValueOrDefault((agency, day)) + delta);
        }
        return counts.OrderBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2)
            .Select(kv => new ReceivedCount(kv.Key.Item1, kv.Key.Item2, kv.Value)).ToList();
    }

    private readonly Dictionary<(string MaDonVi, DateOnly Day), int> _countCorrections = new();

    /// <summary>
    /// A late correction of the province's report: the received count of an agency and day changes by
    /// <paramref name="delta"/> (never below 0) without any dossier changing, as when a count is re-entered.
    /// </summary>
    public void CorrectReceivedCount(string maDonVi, DateOnly day, int delta)
    {
        lock (_gate) _countCorrections[(maDonVi, day)] = _countCorrections.GetValueOrDefault((maDonVi, day)) + delta;
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
            yield return WithOwnFields(fromOverride ?? _scenario!.Json.BuildHeader(r.Seed!), r);
        }
    }

    private static readonly string[] HeaderFields = ["MaHoSo", "MaDonVi", "TrangThaiHoSo", "NgayTiepNhan"];

    // ------------------------------------------------------------------ tokens

    public int ActiveTokenCount => _tokens.ActiveCount;

    /// <summary>Fault switch: every token issued so far is invalid from now on (HTTP 401).</summary>
    public void RevokeAllTokens() => _tokens.RevokeAll();

    internal (string Token, int ExpiresIn) IssueToken() => _tokens.Issue();

    internal bool IsTokenValid(string? token) => _tokens.IsValid(token);

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
        var item = WithOwnFields(p.Copy ?? _scenario!.Json.Build(r.Seed!, portalCopy: false), r);
        return new ProvincialDossier(r.MaHoSo, item, r.NgayCapNhat, r.PhienBan, r.TrangThaiDongBo, r.LoiDongBo);
    }

    /// <summary>The provincial system's own fields of the dossier (<see cref="MetaFields"/>), as its API serves them.</summary>
    private static JsonObject WithOwnFields(JsonObject item, Record r)
    {
        item["NgayCapNhat"] = DossierJson.ExportsNoChangeDate(r.Seed, item) ? ScenarioGenerator.NoDateMarker : SimTime.Compact(r.NgayCapNhat);
        item["PhienBan"] = r.PhienBan;
        item["TrangThaiDongBo"] = r.TrangThaiDongBo;
        item["LoiDongBo"] = r.LoiDongBo;
        return item;
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
