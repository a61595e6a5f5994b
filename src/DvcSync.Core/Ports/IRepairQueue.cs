namespace DvcSync.Core.Ports;

/// <summary>
/// A request to bring one dossier's portal copy up to date. The attempt count travels in the message because the
/// platform's own redelivery is immediate and blind: the schedule is ours, and behaves the same on every host.
/// <see cref="Force"/> sends the dossier even when the ledger says the portal's copy is current: an operator's resync.
/// </summary>
/// <param name="Reason">One of <see cref="RepairReason"/>'s codes.</param>
public sealed record RepairRequest(string MaHoSo, string MaDonVi, long PhienBan, int Attempt, string Reason, bool Force = false);

/// <summary>
/// Why a repair was queued, as a short code. Never free text: a portal's words can quote the applicant, and queue
/// messages are kept, moved to the poison queue and read by operators. The ledger entry holds the details.
/// </summary>
public static class RepairReason
{
    /// <summary>A look-up found the portal without the dossier.</summary>
    public const string Missing = "missing";
    /// <summary>A look-up found the portal's copy out of date.</summary>
    public const string Stale = "stale";
    /// <summary>The look-up itself failed: the repair finds out.</summary>
    public const string LookupFailed = "lookup-failed";
    /// <summary>A transient failure; the attempt count says which try comes next.</summary>
    public const string Retry = "retry";
    /// <summary>Put back while the portal is unavailable, without spending an attempt.</summary>
    public const string Deferred = "deferred";
    /// <summary>An operator asked for it.</summary>
    public const string Resync = "resync";
    /// <summary>The reconciliation's sweep found the entry overdue: its message was lost or late.</summary>
    public const string Requeued = "requeued";
    /// <summary>A reason this version does not know.</summary>
    public const string Other = "other";

    private static readonly string[] Codes = [Missing, Stale, LookupFailed, Retry, Deferred, Resync, Requeued];

    /// <summary>
    /// A code as it is; anything else (the free text messages carried before reasons were codes) as the code it
    /// stood for, so no free text travels on in a new message or a log.
    /// </summary>
    public static string Normalise(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) return Other;
        if (Codes.Contains(reason, StringComparer.Ordinal)) return reason;
        return reason switch
        {
            _ when reason.StartsWith("not on the portal", StringComparison.Ordinal) || reason == "mismatch" => Missing,
            _ when reason.StartsWith("stale", StringComparison.Ordinal) => Stale,
            _ when reason.StartsWith("look-up failed", StringComparison.Ordinal) => LookupFailed,
            _ when reason.StartsWith("portal", StringComparison.Ordinal) || reason.StartsWith("provincial system", StringComparison.Ordinal) => Retry,
            _ when reason.StartsWith("deferred", StringComparison.Ordinal) => Deferred,
            _ when reason.StartsWith("resync", StringComparison.Ordinal) => Resync,
            _ when reason.StartsWith("requeued", StringComparison.Ordinal) => Requeued,
            _ => Other,
        };
    }
}

public interface IRepairQueue
{
    /// <returns>The queue's id of the message.</returns>
    Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// Several repairs as one message, handled together (a Functions queue trigger takes one message at a time, so a
    /// message must carry the batch). At most <see cref="PortalServices.MaxDossiersPerBatch"/> requests.
    /// </summary>
    /// <returns>The queue's id of the message.</returns>
    Task<string> EnqueueBatchAsync(IReadOnlyList<RepairRequest> requests, TimeSpan delay, CancellationToken cancellationToken);

    Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken);

    Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken);
}

public static class RepairQueueExtensions
{
    /// <summary>Repairs as one message: a single repair's own message, several a batch's.</summary>
    public static Task<string> EnqueueMessageAsync(this IRepairQueue queue, IReadOnlyList<RepairRequest> requests, TimeSpan delay,
        CancellationToken cancellationToken) =>
        requests.Count == 1
            ? queue.EnqueueAsync(requests[0], delay, cancellationToken)
            : queue.EnqueueBatchAsync(requests, delay, cancellationToken);

    /// <summary>
    /// Repairs cut into messages of up to <paramref name="batchSize"/>, an agency's side by side (in their order within
    /// it): the repair concludes a message's dossiers in one ledger transaction per agency, its counter rows written once
    /// for all, so a message should hold few agencies.
    /// </summary>
    public static IEnumerable<T[]> InMessagesByAgency<T>(this IEnumerable<T> items, Func<T, RepairRequest> request, int batchSize) =>
        items.OrderBy(item => request(item).MaDonVi, StringComparer.Ordinal).Chunk(batchSize);

    /// <inheritdoc cref="InMessagesByAgency{T}(IEnumerable{T}, Func{T, RepairRequest}, int)"/>
    public static IEnumerable<RepairRequest[]> InMessagesByAgency(this IEnumerable<RepairRequest> requests, int batchSize) =>
        requests.InMessagesByAgency(r => r, batchSize);
}
