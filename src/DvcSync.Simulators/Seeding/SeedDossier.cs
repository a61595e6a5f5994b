namespace DvcSync.Simulators.Seeding;

/// <summary>A status change of a dossier: one processing step.</summary>
internal readonly record struct SeedEvent(int Status, DateTimeOffset At);

/// <summary>
/// The compact header of a generated dossier: enough for paging, received counts, the ground truth and the
/// portal's preload. The full JSON (personal data, fees, files...) is generated from it on demand, always the same.
/// </summary>
internal sealed class SeedDossier
{
    public required int Index { get; init; }
    public required string MaHoSo { get; init; }
    public required int AgencyIndex { get; init; }
    public required int ProcedureIndex { get; init; }
    public required DossierCategory Category { get; init; }
    public RefusalKind Refusal { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public DateTimeOffset? ReceivedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    /// <summary>Due date after the supplement pause (the time the applicant took is added).</summary>
    public DateTimeOffset DueAtExtended { get; init; }
    /// <summary>The source's events, none later than "now".</summary>
    public required SeedEvent[] Events { get; init; }
    /// <summary>The events of the portal's copy when it differs (stale, or final on the portal).</summary>
    public SeedEvent[]? PortalEvents { get; init; }
    /// <summary>The portal's copy has an older (earlier) due date than the source.</summary>
    public bool PortalDueOlder { get; init; }
    public required DateTimeOffset NgayCapNhat { get; init; }
    public required int PhienBan { get; init; }
    /// <summary>When the portal accepted its copy; null when the portal does not hold it.</summary>
    public DateTimeOffset? PortalSyncedAt { get; init; }
    public required string SyncFlag { get; init; }
    public required string SyncError { get; init; }
    public string? UnknownMaTTHC { get; init; }
    public string? MalformedNgayTiepNhan { get; init; }
    public bool NumericCodes { get; init; }
    public bool ExtraFields { get; init; }
    /// <summary>Writes <see cref="ScenarioGenerator.NoDateMarker"/> where <see cref="ScenarioOptions.NoDateMarkerFraction"/> says.</summary>
    public bool NoDateMarkers { get; init; }

    public int Status => Events[^1].Status;

    /// <summary>The exported NgayTiepNhan is the "no date" marker: the provincial system has no received date for it.</summary>
    public bool ReceivedWithoutDate => NoDateMarkers && Status == 2 && ReceivedAt is not null && MalformedNgayTiepNhan is null;
}
