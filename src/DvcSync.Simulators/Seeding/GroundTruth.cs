using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Seeding;

/// <summary>What the scenario made of a dossier (its state at the start of the run).</summary>
public enum DossierCategory
{
    /// <summary>On the portal, and the portal's copy equals the source.</summary>
    Current,
    /// <summary>Not on the portal; the source says <c>TrangThaiDongBo "0"</c> with a <c>LoiDongBo</c>.</summary>
    MissingFromPortal,
    /// <summary>On the portal with an older status or older dates.</summary>
    StaleOnPortal,
    /// <summary>The portal refuses the source's version (see <see cref="RefusalKind"/>).</summary>
    RefusedByPortal,
    /// <summary>The source says <c>TrangThaiDongBo "1"</c>, yet the portal does not hold it.</summary>
    FlaggedSyncedButMissing,
    /// <summary>Status 1, no NgayTiepNhan: never counts for the sync rate. Not on the portal.</summary>
    NotYetReceived,
    /// <summary>Added while running (mutation API); not on the portal.</summary>
    AddedAtRuntime,
}

public enum RefusalKind
{
    None,
    /// <summary>MaTTHC not in the national catalogue → "2". Not on the portal.</summary>
    UnknownProcedure,
    /// <summary>Status 9/10 without NgayKetThucXuLy → "2". Not on the portal.</summary>
    FinishedWithoutEndDate,
    /// <summary>The portal holds it in a final state, the source has moved it back to a non-final one → "5".</summary>
    FinalOnPortal,
    /// <summary>NgayTiepNhan like "2025-13-45" or "20250115" → "2". Not on the portal.</summary>
    MalformedReceivedDate,
}

/// <summary>The ground truth of one seeded dossier.</summary>
/// <param name="ReceivedAt">When it was really received (the provincial system's own record, also for a malformed
/// exported NgayTiepNhan); null for status 1 and where the provincial system writes "no date" (<see cref="ScenarioGenerator.NoDateMarker"/>).
/// This is what <c>thongke/tiepnhan</c> counts.</param>
/// <param name="HasValidNgayTiepNhan">The exported NgayTiepNhan is a valid <c>yyyyMMddHHmmss</c>.</param>
/// <param name="OnPortalAtStart">The portal held it when the run began.</param>
/// <param name="PortalCurrentAtStart">…and its copy equalled the source.</param>
/// <param name="ExpectedPortalErrorCode">What the portal finally answers when the source's version is pushed
/// (insert, or update when it already exists): "0", "2" or "5".</param>
/// <param name="CarriesNoDateMarkers">Some of its dates are <see cref="ScenarioGenerator.NoDateMarker"/> (<see cref="ScenarioOptions.NoDateMarkerFraction"/>).</param>
public sealed record TruthEntry(
    string MaHoSo,
    string MaDonVi,
    DossierCategory Category,
    RefusalKind Refusal,
    int TrangThaiHoSo,
    DateTimeOffset? ReceivedAt,
    bool HasValidNgayTiepNhan,
    bool OnPortalAtStart,
    bool PortalCurrentAtStart,
    string SourceSyncFlag,
    string ExpectedPortalErrorCode,
    bool CarriesNoDateMarkers = false)
{
    public JsonObject ToJson() => new()
    {
        ["MaHoSo"] = MaHoSo,
        ["MaDonVi"] = MaDonVi,
        ["category"] = Category.ToString(),
        ["refusal"] = Refusal.ToString(),
        ["TrangThaiHoSo"] = TrangThaiHoSo,
        ["receivedAt"] = ReceivedAt is { } r ? SimTime.Compact(r) : null,
        ["hasValidNgayTiepNhan"] = HasValidNgayTiepNhan,
        ["onPortalAtStart"] = OnPortalAtStart,
        ["portalCurrentAtStart"] = PortalCurrentAtStart,
        ["sourceSyncFlag"] = SourceSyncFlag,
        ["expectedPortalErrorCode"] = ExpectedPortalErrorCode,
        ["carriesNoDateMarkers"] = CarriesNoDateMarkers,
    };
}

/// <summary>The scenario's ground truth: the category of every seeded dossier (and of those added at run time).</summary>
public sealed class GroundTruth
{
    private readonly object _gate = new();
    private readonly List<TruthEntry> _entries;
    private readonly Dictionary<string, TruthEntry> _byCode;

    internal GroundTruth(IEnumerable<TruthEntry> entries)
    {
        _entries = entries.ToList();
        _byCode = _entries.ToDictionary(e => e.MaHoSo, StringComparer.Ordinal);
    }

    public IReadOnlyList<TruthEntry> Entries
    {
        get { lock (_gate) return _entries.ToList(); }
    }

    public int Count
    {
        get { lock (_gate) return _entries.Count; }
    }

    public TruthEntry? Find(string maHoSo)
    {
        lock (_gate) return _byCode.GetValueOrDefault(maHoSo);
    }

    public IReadOnlyList<TruthEntry> Of(DossierCategory category)
    {
        lock (_gate) return _entries.Where(e => e.Category == category).ToList();
    }

    public IReadOnlyList<TruthEntry> Of(RefusalKind refusal)
    {
        lock (_gate) return _entries.Where(e => e.Refusal == refusal).ToList();
    }

    public IReadOnlyDictionary<DossierCategory, int> Summary()
    {
        lock (_gate)
            return Enum.GetValues<DossierCategory>().ToDictionary(c => c, c => _entries.Count(e => e.Category == c));
    }

    internal void Add(TruthEntry entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
            _byCode[entry.MaHoSo] = entry;
        }
    }

    internal JsonObject SummaryJson()
    {
        var categories = new JsonObject();
        foreach (var (c, n) in Summary()) categories[c.ToString()] = n;
        var refusals = new JsonObject();
        lock (_gate)
            foreach (var k in Enum.GetValues<RefusalKind>().Where(k => k != RefusalKind.None))
                refusals[k.ToString()] = _entries.Count(e => e.Refusal == k);
        return new JsonObject { ["total"] = Count, ["categories"] = categories, ["refusals"] = refusals };
    }
}
