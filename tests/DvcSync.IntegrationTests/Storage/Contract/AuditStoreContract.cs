using DvcSync.Core.Ports;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>The audit store's semantics: one current audit, replaced only over the version it was read at, and its lease.</summary>
public abstract class AuditStoreContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.FromHours(7));

    private static AuditJob Job(string id) => new()
    {
        Id = id,
        From = new DateOnly(2025, 1, 1),
        To = new DateOnly(2025, 1, 31),
        Agency = "000.00.19.H19",
        Status = AuditStatus.Queued,
        RequestedAt = T0,
        ReadUpTo = T0,
        UpdatedAt = T0,
    };

    [Fact]
    public async Task The_current_audit_round_trips_and_a_stale_writer_loses()
    {
        await using var store = await OpenAsync();
        Assert.Null(await store.Audit.GetAsync(CancellationToken.None));

        var saved = await store.Audit.TrySaveAsync(null, Job("a1"), CancellationToken.None);
        Assert.NotNull(saved?.ETag);
        Assert.Null(await store.Audit.TrySaveAsync(null, Job("a2"), CancellationToken.None)); // there is one already

        var running = saved with { Status = AuditStatus.Running, StartedAt = T0.AddMinutes(1), Cursor = "page-2", PagesDone = 2, Done = 40, CallRate = 12.5, SecondsLeft = 30 };
        var moved = await store.Audit.TrySaveAsync(saved, running, CancellationToken.None);
        Assert.NotNull(moved);
        Assert.NotEqual(saved.ETag, moved.ETag);
        Assert.Null(await store.Audit.TrySaveAsync(saved, saved with { Status = AuditStatus.Cancelled }, CancellationToken.None));

        var read = await store.Audit.GetAsync(CancellationToken.None);
        Assert.Equal(moved, read);
    }

    [Fact]
    public async Task Only_one_process_holds_the_audits_lease()
    {
        await using var store = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => store.Audit.TryAcquireLeaseAsync("p" + i, TimeSpan.FromMinutes(5), CancellationToken.None)));
        Assert.Equal(1, results.Count(r => r));
        await store.Audit.ReleaseLeaseAsync("p" + Array.IndexOf(results, true), CancellationToken.None);
        Assert.True(await store.Audit.TryAcquireLeaseAsync("late", TimeSpan.FromMinutes(5), CancellationToken.None));
    }
}
