namespace DvcSync.Application.Telemetry;

/// <summary>What <see cref="FreshnessWindow"/> saw over its span: seconds from a source change to its confirmation.</summary>
/// <param name="P50Seconds">Median (within 5%: the upper edge of its histogram bin, never above <paramref name="MaxSeconds"/>); null while nothing was confirmed.</param>
/// <param name="P95Seconds">95th percentile, likewise.</param>
/// <param name="MaxSeconds">The largest, exact.</param>
public sealed record FreshnessFigures(long Count, double? P50Seconds, double? P95Seconds, double? MaxSeconds);

/// <summary>
/// Freshness — the time from a dossier's change at the source (its <c>NgayCapNhat</c>) to the moment the project
/// confirmed the portal holds that version (a look-up that found it, or an acknowledged write) — over the last hour,
/// for /api/health, and into the <c>dvcsync.freshness</c> histogram for the alert. Minute buckets of a log-scale
/// histogram (bins 5% wide) keep memory fixed however many dossiers are confirmed. It sees this process's
/// confirmations only: on the Functions host scaled out to several instances, the metric (summed by Azure Monitor)
/// is the province-wide figure, and health shows the answering instance's.
/// </summary>
public sealed class FreshnessWindow(TimeProvider clock, SyncTelemetry? telemetry = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private const int Minutes = 60;
    private const double Smallest = 0.1;
    private const double Growth = 1.05;
    // 0.1 s × 1.05^420 ≈ 8 × 10^7 s: more than two years, the longest a change can wait since Sync:HistoryFrom.
    private const int Bins = 420;

    private readonly Bucket?[] _buckets = new Bucket?[Minutes];
    private readonly Lock _lock = new();

    private sealed class Bucket(long minute)
    {
        public long Minute { get; } = minute;
        public long Count;
        public double Max;
        public readonly int[] Bins = new int[FreshnessWindow.Bins];
    }

    /// <summary>Records one confirmation of a version that changed at <paramref name="changedAt"/> (nothing when the source gave no date).</summary>
    public void Confirmed(DateTimeOffset? changedAt, DateTimeOffset confirmedAt)
    {
        if (changedAt is null) return;
        // A source clock ahead of ours makes a change look as if it came after its confirmation: that is fresh, not negative.
        var seconds = Math.Max(0, (confirmedAt - changedAt.Value).TotalSeconds);
        telemetry?.Freshness.Record(seconds);
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            var slot = (int)(minute % Minutes);
            var bucket = _buckets[slot];
            if (bucket is null || bucket.Minute != minute) _buckets[slot] = bucket = new Bucket(minute);
            bucket.Count++;
            bucket.Max = Math.Max(bucket.Max, seconds);
            bucket.Bins[BinOf(seconds)]++;
        }
    }

    public FreshnessFigures Figures()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        var bins = new long[Bins];
        long count = 0;
        double max = 0;
        lock (_lock)
        {
            foreach (var bucket in _buckets)
            {
                if (bucket is null || bucket.Minute <= now - Minutes || bucket.Minute > now) continue;
                count += bucket.Count;
                max = Math.Max(max, bucket.Max);
                for (var k = 0; k < Bins; k++) bins[k] += bucket.Bins[k];
            }
        }
        return count == 0 ? new FreshnessFigures(0, null, null, null) : new FreshnessFigures(count, Quantile(bins, count, 0.50, max), Quantile(bins, count, 0.95, max), max);
    }

    private static int BinOf(double seconds) =>
        seconds <= Smallest ? 0 : Math.Min(Bins - 1, (int)Math.Ceiling(Math.Log(seconds / Smallest, Growth) - 1e-9));

    private static double UpperEdge(int bin) => Smallest * Math.Pow(Growth, bin);

    /// <summary>Nearest rank: the smallest bin edge at or below which at least q of the values lie.</summary>
    private static double Quantile(long[] bins, long count, double q, double max)
    {
        var rank = (long)Math.Ceiling(q * count);
        long seen = 0;
        for (var k = 0; k < bins.Length; k++)
        {
            seen += bins[k];
            if (seen >= rank) return Math.Round(Math.Min(UpperEdge(k), max), 3);
        }
        return max;
    }
}
