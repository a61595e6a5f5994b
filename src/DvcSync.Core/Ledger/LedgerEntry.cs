using DvcSync.Core.Comparison;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;

namespace DvcSync.Core.Ledger;

/// <summary>
/// The project's memory of one dossier: what the portal was last confirmed to hold and where its repair stands.
/// Holds no personal data — only the codes, dates and status the indicator and the operators need.
/// </summary>
public sealed record LedgerEntry
{
    public required string MaHoSo { get; init; }
    public required string MaDonVi { get; init; }
    public DateTimeOffset? NgayTiepNhan { get; init; }
    public int? TrangThaiHoSo { get; init; }

    /// <summary>The source's PhienBan this entry speaks for.</summary>
    public long PhienBan { get; init; }

    /// <summary>
    /// When the source changed to <see cref="PhienBan"/> (its <c>NgayCapNhat</c>): freshness is measured from it, and
    /// /api/health names the oldest such change still waiting for a repair. Null when the source gave no usable date
    /// or the entry was recorded before this was kept.
    /// </summary>
    public DateTimeOffset? ChangedAt { get; init; }

    public SyncState State { get; init; }

    /// <summary>
    /// Whether the portal holds some copy of the dossier. This, not <see cref="State"/>, is what indicator 1.4
    /// counts: a stale or conflicting copy still counts as synced nationally.
    /// </summary>
    public bool PortalHolds { get; init; }

    /// <summary>
    /// The copy the portal was last confirmed to hold carries no <c>NgayTiepNhan</c> (from a look-up's copy; false after
    /// an acknowledged write of a received dossier). Such a copy is held — writes must be updates — but never counts
    /// for 1.4 (sync-api.md, <c>synced</c>): the entry stays unsynced until the portal holds a copy with the date.
    /// </summary>
    public bool PortalCopyLacksReceptionDate { get; init; }
    /// <summary>What the 766 indicators need of the provincial copy at <see cref="PhienBan"/>; null for an entry recorded
    /// before facts were collected (an audit or the next change of the dossier collects them).</summary>
    public DossierFacts? SourceFacts { get; init; }

    /// <summary>The facts of the copy the portal was last confirmed to hold: from a look-up's copy, or, after an
    /// acknowledged write, those of what was sent. Null when it holds none or they were never collected.</summary>
    public DossierFacts? PortalFacts { get; init; }

    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>When the first transient failure of the current repair happened: the give-up clock.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>When the portal's holding was last confirmed by a lookup or an acknowledged write.</summary>
    public DateTimeOffset? ConfirmedAt { get; init; }

    /// <summary>
    /// The source's change time (<see cref="ChangedAt"/>) of the last version the portal was confirmed to hold, kept
    /// across later versions: the steps of that version are taken as on the portal, so a repair of a later version sends
    /// only the steps after it (<c>ThoiDiemXuLy</c> later than this). Null: every step is sent.
    /// </summary>
    public DateTimeOffset? StepsSentUpTo { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The agency the dossier moved to (provincial-system.md, Agencies: a dossier whose <c>MaDonVi</c> changes counts once,
    /// for its latest agency). A moved entry is kept — it remembers where the dossier went, so a late message or an old
    /// page addressed to this agency is recognised as such — but it counts for nothing: no day count, no scorecard
    /// counter, not unsynced, not in repair. Null for an entry that speaks for the dossier's current agency.
    /// </summary>
    public string? MovedTo { get; init; }

    /// <summary>Opaque concurrency token of the store; null for an entry never saved.</summary>
    public string? ETag { get; init; }

    public bool HasMoved => MovedTo is not null;

    /// <summary>The day the entry counts for; none for a dossier without a NgayTiepNhan or one that moved to another agency.</summary>
    public DateOnly? ReceivedDay => MovedTo is null && NgayTiepNhan is { } at ? VnTime.Day(at) : null;

    /// <summary>Counted in the indicator's denominator: only dossiers with a NgayTiepNhan are, and only where they are now.</summary>
    public bool CountsAsReceived => NgayTiepNhan is not null && MovedTo is null;
    public bool CountsAsSynced => CountsAsReceived && PortalHolds && !PortalCopyLacksReceptionDate;
    public bool IsUnsynced => CountsAsReceived && !CountsAsSynced;

    /// <summary>In the repair's hands (listed for the sweep of lost repairs): pending or retrying, where the dossier is now.</summary>
    public bool IsInRepair => MovedTo is null && State is SyncState.Pending or SyncState.Retrying;

    /// <summary>
    /// The entry once the dossier is known under <paramref name="agency"/> at version <paramref name="phienBan"/>: it stops
    /// counting here. Its version becomes the move's, so a page read before the move, still naming this agency, is covered
    /// (<see cref="Covers"/>) and skipped, while a later move back (a newer version) brings the entry back.
    /// </summary>
    public LedgerEntry MovedAway(string agency, long phienBan, DateTimeOffset now) => this with
    {
        MovedTo = agency,
        PhienBan = Math.Max(PhienBan, phienBan),
        NextAttemptAt = null,
        UpdatedAt = now,
    };
    /// <summary>
    /// Whether the reconciliation can skip a source dossier without asking the portal: the entry already speaks
    /// for this version. A pending or retrying entry is in the repair's hands, and a lost repair message is found
    /// by the sweep of overdue entries, not by another lookup.
    /// </summary>
    public bool Covers(SourceDossier source) => PhienBan >= source.PhienBan;

    public static LedgerEntry For(SourceDossier source, DateTimeOffset now) => new()
    {
        MaHoSo = source.MaHoSo,
        MaDonVi = source.MaDonVi,
        NgayTiepNhan = source.Dossier.NgayTiepNhan,
        TrangThaiHoSo = source.Dossier.TrangThaiHoSo is { } s ? (int)s : null,
        PhienBan = source.PhienBan,
        ChangedAt = source.NgayCapNhat,
        SourceFacts = DossierFacts.Of(source.Dossier),
        State = SyncState.Pending,
        UpdatedAt = now,
    };

    /// <summary>Moves the entry to a new source version: a changed dossier gets a fresh chance.</summary>
    /// <remarks>A newer version under this entry's agency means the dossier is here again: a moved entry comes back
    /// (the store then retires the entry of the agency it had gone to).</remarks>
    public LedgerEntry AtVersionOf(SourceDossier source, DateTimeOffset now)
    {
        if (source.PhienBan == PhienBan && NgayTiepNhan == source.Dossier.NgayTiepNhan)
            return this with { SourceFacts = DossierFacts.Of(source.Dossier), ChangedAt = ChangedAt ?? source.NgayCapNhat, UpdatedAt = now };
        return this with
        {
            MovedTo = source.PhienBan > PhienBan ? null : MovedTo,
            SourceFacts = DossierFacts.Of(source.Dossier),
            NgayTiepNhan = source.Dossier.NgayTiepNhan,
            TrangThaiHoSo = source.Dossier.TrangThaiHoSo is { } s ? (int)s : null,
            PhienBan = source.PhienBan,
            ChangedAt = source.PhienBan == PhienBan ? ChangedAt ?? source.NgayCapNhat : source.NgayCapNhat,
            Attempts = source.PhienBan == PhienBan ? Attempts : 0,
            FailingSince = source.PhienBan == PhienBan ? FailingSince : null,
            UpdatedAt = now,
        };
    }

    /// <summary>What a portal lookup found.</summary>
    public LedgerEntry Observed(PortalCopyVerdict verdict, DateTimeOffset now) => verdict.State switch
    {
        PortalCopyState.Current => Confirmed(now),
        _ => this with
        {
            State = SyncState.Pending,
            PortalHolds = verdict.PortalHoldsIt,
            PortalCopyLacksReceptionDate = verdict.PortalHoldsIt && verdict.CopyLacksReceptionDate,
            ConfirmedAt = verdict.PortalHoldsIt ? now : ConfirmedAt,
            LastError = verdict.Describe(),
            NextAttemptAt = now,
            UpdatedAt = now,
        },
    };

    /// <summary>The portal holds the dossier as the source has it: found by a lookup or an acknowledged write.</summary>
    public LedgerEntry Confirmed(DateTimeOffset now) => this with
    {
        State = SyncState.Synced,
        PortalHolds = true,
        PortalCopyLacksReceptionDate = false,
        PortalFacts = SourceFacts,
        ConfirmedAt = now,
        StepsSentUpTo = ChangedAt ?? StepsSentUpTo,
        Attempts = 0,
        LastError = null,
        NextAttemptAt = null,
        FailingSince = null,
        UpdatedAt = now,
    };

    /// <summary>Keeps the facts of the copy a look-up found (null: it found none); called after <see cref="Observed"/>.</summary>
    public LedgerEntry HoldingCopy(Dossier? portalCopy) => this with { PortalFacts = portalCopy is null ? null : DossierFacts.Of(portalCopy) };

    /// <summary>
    /// The scorecard counters this entry contributes. A copy the portal is known to hold but never showed (a write
    /// refused as a final-state conflict, an update that failed half-way) is counted as the provincial copy: the
    /// dossier is on the portal, and leaving it out would cost it points sync did not lose.
    /// </summary>
    public ScoreContributions Contributions() => MovedTo is not null
        ? ScoreContributions.None
        : ScoreContributions.Of(ReceivedDay, SourceFacts, PortalHolds ? PortalFacts ?? SourceFacts : null);

    public LedgerEntry Rejected(string reason, bool portalHolds, DateTimeOffset now) => this with
    {
        State = SyncState.Rejected,
        PortalHolds = portalHolds,
        Attempts = Attempts + 1,
        LastError = reason,
        NextAttemptAt = null,
        FailingSince = null,
        UpdatedAt = now,
    };

    public LedgerEntry RetryScheduled(string error, DateTimeOffset nextAttemptAt, DateTimeOffset now) => this with
    {
        State = SyncState.Retrying,
        Attempts = Attempts + 1,
        LastError = error,
        NextAttemptAt = nextAttemptAt,
        FailingSince = FailingSince ?? now,
        UpdatedAt = now,
    };

    public LedgerEntry Abandoned(string error, DateTimeOffset now) => this with
    {
        State = SyncState.Abandoned,
        Attempts = Attempts + 1,
        LastError = error,
        NextAttemptAt = null,
        UpdatedAt = now,
    };

    public LedgerEntry Requeued(DateTimeOffset now) => this with { State = SyncState.Pending, NextAttemptAt = now, UpdatedAt = now };
}
