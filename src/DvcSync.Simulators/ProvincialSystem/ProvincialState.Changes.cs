using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>
/// The mutation API: what a test or the demo uses to make the source change under the sync. Every change gives the
/// dossier a new PhienBan and a later NgayCapNhat, so it moves to a later paging position.
/// </summary>
public sealed partial class ProvincialState
{
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

    private ProvincialDossier ChangeCore(string maHoSo, Action<JsonObject> edit, string? flag, string? error, (int Status, DateTimeOffset At)? step)
    {
        lock (_gate)
        {
            var r = Find(maHoSo);
            var dossier = r.Override?.DeepClone().AsObject() ?? _scenario!.Json.Build(r.Seed!, portalCopy: false);
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
            var steps = r.Steps?.ToList() ?? _scenario?.Json.BuildSteps(r.Seed!, portalCopy: false) ?? [];
            if (step is { } s)
                steps.Add(DossierJson.Step(maHoSo, s.Status, s.At, SimJson.Str(dossier, "NgayHenTra") ?? "", "Cán bộ xử lý"));
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
}
