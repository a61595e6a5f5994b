using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>The current audit and its lease, in the embedded store.</summary>
internal sealed class SqliteAuditStore(SqliteDocuments documents, TimeProvider clock) : IAuditStore
{
    private const string Current = "audit/current";
    private const string Lease = "audit/lease";
    private const int MaxErrorLength = 1000;

    public async Task<AuditJob?> GetAsync(CancellationToken cancellationToken) =>
        await documents.GetAsync<AuditJob>(Current, cancellationToken) is var (job, version) ? job with { ETag = SqliteSchema.ETag(version) } : null;

    public async Task<AuditJob?> TrySaveAsync(AuditJob? previous, AuditJob next, CancellationToken cancellationToken)
    {
        var stored = next with { ETag = null, Error = next.Error is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : next.Error };
        var expected = previous?.ETag is null ? 0 : SqliteSchema.Version(previous.ETag);
        return await documents.TryPutAsync(Current, stored, expected, cancellationToken) is { } version ? stored with { ETag = SqliteSchema.ETag(version) } : null;
    }

    public Task<bool> TryAcquireLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        documents.TryAcquireLeaseAsync(Lease, owner, clock.GetUtcNow(), duration, cancellationToken);

    public Task ReleaseLeaseAsync(string owner, CancellationToken cancellationToken) => documents.ReleaseLeaseAsync(Lease, owner, cancellationToken);
}
