using DvcSync.Core.Dossiers;

namespace DvcSync.Core.Comparison;

public enum PortalCopyState
{
    /// <summary>The portal does not hold the dossier.</summary>
    Missing,
    /// <summary>The portal holds the dossier, but with another status or other dates than the source.</summary>
    Stale,
    /// <summary>The portal's copy agrees with the source on everything the indicators read.</summary>
    Current,
}

public sealed record PortalCopyVerdict(PortalCopyState State, IReadOnlyList<string> Differences)
{
    public static readonly PortalCopyVerdict Missing = new(PortalCopyState.Missing, []);
    public static readonly PortalCopyVerdict Current = new(PortalCopyState.Current, []);

    public bool PortalHoldsIt => State != PortalCopyState.Missing;
    public bool NeedsRepair => State != PortalCopyState.Current;

    /// <summary>
    /// The portal holds a copy without <c>NgayTiepNhan</c> (pushed at status 1, its update lost): the national rule
    /// never counts such a copy, so the dossier is unsynced although its writes must be updates.
    /// </summary>
    public bool CopyLacksReceptionDate { get; init; }

    /// <summary>The reason code of an unsynced entry whose portal copy carries no reception date.</summary>
    public const string MissingReceptionDate = "missing-reception-date";

    public string Describe() => State switch
    {
        PortalCopyState.Missing => "not on the portal",
        PortalCopyState.Stale when CopyLacksReceptionDate => MissingReceptionDate + ": the portal's copy has no NgayTiepNhan; " + string.Join(", ", Differences),
        PortalCopyState.Stale => "stale on the portal: " + string.Join(", ", Differences),
        _ => "current on the portal",
    };
}

/// <summary>
/// Decides whether the portal's copy is current. Only what the national indicators read is compared — the
/// status and the three dates that drive reception, due date and completion — because those are what a stale
/// copy costs the province; free-text fields may legitimately be normalised by the portal.
/// </summary>
public static class PortalCopyComparer
{
    public static PortalCopyVerdict Compare(Dossier source, Dossier? portalCopy)
    {
        if (portalCopy is null) return PortalCopyVerdict.Missing;

        var differences = new List<string>(4);
        if (source.TrangThaiHoSo != portalCopy.TrangThaiHoSo)
            differences.Add($"TrangThaiHoSo {Show(portalCopy.TrangThaiHoSo)} on the portal, {Show(source.TrangThaiHoSo)} at the source");
        Check("NgayTiepNhan", source.NgayTiepNhan, portalCopy.NgayTiepNhan, differences);
        Check("NgayHenTra", source.NgayHenTra, portalCopy.NgayHenTra, differences);
        Check("NgayKetThucXuLy", source.NgayKetThucXuLy, portalCopy.NgayKetThucXuLy, differences);

        return differences.Count == 0
            ? PortalCopyVerdict.Current
            : new PortalCopyVerdict(PortalCopyState.Stale, differences) { CopyLacksReceptionDate = portalCopy.NgayTiepNhan is null };
    }

    private static void Check(string field, DateTimeOffset? source, DateTimeOffset? portal, List<string> differences)
    {
        if (source == portal) return;
        differences.Add($"{field} {Show(portal)} on the portal, {Show(source)} at the source");
    }

    private static string Show(TrangThaiHoSo? status) => status is { } s ? ((int)s).ToString() : "none";
    private static string Show(DateTimeOffset? at) => at is { } a ? VnTime.Format(a) : "none";
}
