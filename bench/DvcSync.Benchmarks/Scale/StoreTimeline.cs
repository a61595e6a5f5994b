using System.Diagnostics;
using System.Runtime.CompilerServices;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// Where a measured run spends its time in the embedded store. Azurite's calls are HTTP requests and
/// <see cref="HttpTimeline"/> sees them; the embedded store's are method calls in the process, so the ledger and the
/// repair queue are wrapped, each call an activity of this source that <see cref="HttpTimeline"/> counts beside the
/// HTTP requests (as <c>store: …</c>). Only the measured child wraps them, and only on the embedded store.
/// </summary>
internal static class StoreTimeline
{
    public const string SourceName = "DvcSync.Benchmarks.Store";

    private static readonly ActivitySource Source = new(SourceName);

    internal static Activity? Start(string name) => Source.StartActivity(name, ActivityKind.Internal);

    /// <summary>Replaces the ledger and the repair queue with timed wrappers of what the host registered.</summary>
    public static void Wrap(IServiceCollection services)
    {
        Decorate<ISyncLedger>(services, inner => new TimedSyncLedger(inner));
        Decorate<IRepairQueue>(services, inner => new TimedRepairQueue(inner));
    }

    private static void Decorate<T>(IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var registered = services.Last(s => s.ServiceType == typeof(T));
        services.Remove(registered);
        services.AddSingleton(sp => wrap((T)(registered.ImplementationInstance
                                              ?? registered.ImplementationFactory?.Invoke(sp)
                                              ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!))));
    }
}

internal sealed class TimedSyncLedger(ISyncLedger inner) : ISyncLedger
{
    private static async Task<T> Timed<T>(string name, Func<Task<T>> call)
    {
        using var activity = StoreTimeline.Start("ledger " + name);
        return await call();
    }

    private static async Task Timed(string name, Func<Task> call)
    {
        using var activity = StoreTimeline.Start("ledger " + name);
        await call();
    }

    public Task<LedgerEntry?> GetAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken) =>
        Timed("point read", () => inner.GetAsync(maDonVi, maHoSo, cancellationToken));

    public Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken) =>
        Timed("save one", () => inner.SaveAsync(previous, next, cancellationToken));

    public Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> changes, CancellationToken cancellationToken) =>
        Timed("save batch", () => inner.SaveManyAsync(changes, cancellationToken));

    public Task<(IReadOnlyList<LedgerMonthCount> Months, IReadOnlyList<LedgerDayCount> Days)> GetPeriodCountsAsync(IReadOnlyCollection<string> agencies,
        DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Timed("period counts", () => inner.GetPeriodCountsAsync(agencies, from, to, cancellationToken));

    public Task<DateTimeOffset?> GetOldestConfirmationAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Timed("oldest confirmation", () => inner.GetOldestConfirmationAsync(agencies, from, to, cancellationToken));

    public Task<IReadOnlyDictionary<string, ScoreTotals>> GetScoreTotalsAsync(IReadOnlyCollection<string> agencies, ScorePeriod period,
        CancellationToken cancellationToken) =>
        Timed("score totals", () => inner.GetScoreTotalsAsync(agencies, period, cancellationToken));

    public Task<IReadOnlyList<ScoreRow>> GetScoreDayRowsAsync(string maDonVi, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Timed("score day rows", () => inner.GetScoreDayRowsAsync(maDonVi, from, to, cancellationToken));

    public Task RecordReportedCountsAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Timed("received counts copy", () => inner.RecordReportedCountsAsync(counts, from, to, cancellationToken));

    public Task RepairRollupCopiesAsync(CancellationToken cancellationToken) =>
        Timed("roll-up re-copy", () => inner.RepairRollupCopiesAsync(cancellationToken));

    public Task<IReadOnlyList<LedgerDayCount>> GetDayCountsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        Timed("day counts", () => inner.GetDayCountsAsync(agencies, from, to, cancellationToken));

    public Task<IReadOnlyList<LedgerEntry>> GetUnsyncedAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        UnsyncedPosition? after, int limit, CancellationToken cancellationToken) =>
        Timed("unsynced page", () => inner.GetUnsyncedAsync(agencies, from, to, after, limit, cancellationToken));

    /// <summary>Each step of the sweep's enumeration is timed (a page read, or an entry already read).</summary>
    public async IAsyncEnumerable<LedgerEntry> GetInRepairAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var entries = inner.GetInRepairAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            using (StoreTimeline.Start("ledger in-repair sweep step"))
                more = await entries.MoveNextAsync();
            if (!more) yield break;
            yield return entries.Current;
        }
    }
}

internal sealed class TimedRepairQueue(IRepairQueue inner) : IRepairQueue
{
    public async Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var activity = StoreTimeline.Start("queue enqueue");
        return await inner.EnqueueAsync(request, delay, cancellationToken);
    }

    public async Task<string> EnqueueBatchAsync(IReadOnlyList<RepairRequest> requests, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var activity = StoreTimeline.Start("queue enqueue batch");
        return await inner.EnqueueBatchAsync(requests, delay, cancellationToken);
    }

    public Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken) => inner.GetApproximateDepthAsync(cancellationToken);

    public Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken) => inner.GetPoisonDepthAsync(cancellationToken);
}
