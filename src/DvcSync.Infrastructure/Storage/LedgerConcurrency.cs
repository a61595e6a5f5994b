using System.Net;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Optimistic concurrency on the ledger's derived rows: a write whose condition failed because another writer of the
/// same agency changed a count (or a roll-up copy) first reads again and retries, after a short random pause that
/// grows with the attempts.
/// </summary>
internal static class LedgerConcurrency
{
    public const int MaxRetries = 50;

    /// <summary>412 (the row changed since it was read) or 409 (someone added it first).</summary>
    public static bool IsConflict(int status) => status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict;

    public static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 + attempt * 10)), cancellationToken);
}
