using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;

namespace DvcSync.Core.Ports;

/// <summary>
/// How the portal answered, as the sync logic needs to know it. No portal error_code leaves the client. A result's
/// <c>Message</c> keeps the portal's own words with every personal value the client could know removed
/// (<see cref="PersonalDataRedactor"/>); its <c>Summary</c>, for whoever holds no dossier, is the client's account of
/// the failure without the portal's words.
/// </summary>
public enum PortalOutcomeKind
{
    Accepted,
    /// <summary>Insert of a dossier the portal holds already ("-3", "3"): resend as an update.</summary>
    AlreadyExists,
    /// <summary>Update or steps of a dossier the portal does not hold ("-4"): resend as an insert.</summary>
    NotFound,
    /// <summary>The data was refused ("2"); permanent until corrected at the source.</summary>
    InvalidData,
    /// <summary>A final-state dossier may not move back ("5"); permanent.</summary>
    FinalStateConflict,
    /// <summary>HTTP 5xx, 429, time-out, reset, "99", a session that would not renew: try again later.</summary>
    Transient,
    /// <summary>Not sent: the portal is taken to be down (circuit open). Defer; this costs no attempt.</summary>
    CircuitOpen,
    /// <summary>
    /// HTTP 400 / "1": the portal could not parse the request. A correct client never sends one, so this is the
    /// project's configuration (<c>NationalPortal:DstCode</c>, <c>:MaDonVi</c>) or its client, not the dossier and not a
    /// passing fault: nothing is retried against it — the circuit is held open until a call succeeds, and repairs are
    /// deferred without spending attempts.
    /// </summary>
    ConfigurationError,
}

public sealed record PortalItemError(string MaHoSo, PortalOutcomeKind Kind, string Message);

public sealed record PortalWriteResult(PortalOutcomeKind Kind, string Message, IReadOnlyList<PortalItemError> Errors, TimeSpan? RetryAfter = null)
{
    public string Summary { get => field ?? Message; init; }

    public static PortalWriteResult Success { get; } = new(PortalOutcomeKind.Accepted, "", []);
}

public sealed record PortalLookupResult(PortalOutcomeKind Kind, PortalDossier? Dossier, string Message, TimeSpan? RetryAfter = null)
{
    public string Summary { get => field ?? Message; init; }

    public bool Succeeded => Kind == PortalOutcomeKind.Accepted;
    public static PortalLookupResult Found(PortalDossier? dossier) => new(PortalOutcomeKind.Accepted, dossier, "");
}

public sealed record ProcedureLookupResult(PortalOutcomeKind Kind, bool? Known, string Message)
{
    public string Summary { get => field ?? Message; init; }
}

/// <summary>The national portal's sync adapter (national-portal.md). Every method is one portal call, plus a sign-in when the session must be renewed.</summary>
public interface INationalPortal
{
    /// <summary><c>TraCuuHoSo</c>. A found dossier or null when the portal does not hold it.</summary>
    Task<PortalLookupResult> LookUpAsync(string maHoSo, CancellationToken cancellationToken);

    /// <summary><c>DongBoHoSoMC</c> with 1 to 50 dossiers, applied atomically by the portal.</summary>
    Task<PortalWriteResult> SyncDossiersAsync(IReadOnlyList<JsonObject> dossiers, bool isUpdating, CancellationToken cancellationToken);

    /// <summary><c>CapNhatTienDoHoSoMC</c> with 1 to 10 steps; resending a step is harmless.</summary>
    Task<PortalWriteResult> AppendStepsAsync(IReadOnlyList<JsonObject> steps, CancellationToken cancellationToken);

    /// <summary><c>LayThuTuc</c>: whether the national catalogue knows a procedure.</summary>
    Task<ProcedureLookupResult> GetProcedureAsync(string maTthc, CancellationToken cancellationToken);
}
