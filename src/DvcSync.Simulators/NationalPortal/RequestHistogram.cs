using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>One second of the portal simulator's clock: requests received and those admitted by the rate limit.</summary>
public readonly record struct HistogramBucket(DateTimeOffset Second, int Received, int Accepted);

/// <summary>
/// Requests per second (by the simulator's clock): every request received, and separately the ones the rate
/// limit admitted (<c>Accepted</c>, whatever the answer was afterwards). Read the peak rate from it: per calendar
/// second from the buckets, and in any one-second window however placed from <see cref="PeakReceivedInAnyWindow"/>.
/// </summary>
public sealed class RequestHistogram
{
    private const int MaxBuckets = 200_000;
    // Enough for a benchmark's look-ups; beyond it the sliding peaks cover the first requests only (see the JSON).
    private const int MaxInstants = 4_000_000;
    private static readonly long WindowTicks = TimeSpan.TicksPerSecond;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, (int Received, int Accepted)> _buckets = new();
    private readonly List<long> _received = new();
    private readonly List<long> _accepted = new();

    /// <summary>The most requests received in any window of one second (t to t + 1 s, exclusive), wherever it starts.</summary>
    public int PeakReceivedInAnyWindow
    {
        get { lock (_gate) return SlidingPeak(_received); }
    }

    /// <summary>The most requests admitted by the rate limit in any window of one second, wherever it starts.</summary>
    public int PeakAcceptedInAnyWindow
    {
        get { lock (_gate) return SlidingPeak(_accepted); }
    }

    private static int SlidingPeak(List<long> instants)
    {
        // Requests are recorded by concurrent handlers, so the instants are not quite in order.
        var sorted = instants.ToArray();
        Array.Sort(sorted);
        var peak = 0;
        for (int first = 0, last = 0; last < sorted.Length; last++)
        {
            while (sorted[last] - sorted[first] >= WindowTicks) first++;
            peak = Math.Max(peak, last - first + 1);
        }
        return peak;
    }

    public int PeakReceivedPerSecond
    {
        get { lock (_gate) return _buckets.Count == 0 ? 0 : _buckets.Values.Max(b => b.Received); }
    }

    public int PeakAcceptedPerSecond
    {
        get { lock (_gate) return _buckets.Count == 0 ? 0 : _buckets.Values.Max(b => b.Accepted); }
    }

    public long TotalReceived
    {
        get { lock (_gate) return _buckets.Values.Sum(b => (long)b.Received); }
    }

    public long TotalAccepted
    {
        get { lock (_gate) return _buckets.Values.Sum(b => (long)b.Accepted); }
    }

    public IReadOnlyList<HistogramBucket> Buckets()
    {
        lock (_gate)
            return _buckets.Select(kv => new HistogramBucket(SimTime.FromUnixSeconds(kv.Key), kv.Value.Received, kv.Value.Accepted)).ToList();
    }

    public void Reset()
    {
        lock (_gate)
        {
            _buckets.Clear();
            _received.Clear();
            _accepted.Clear();
        }
    }

    internal void RecordReceived(DateTimeOffset at) => Add(at, 1, 0);

    internal void RecordAccepted(DateTimeOffset at) => Add(at, 0, 1);

    private bool Truncated => _received.Count >= MaxInstants;

    private void Add(DateTimeOffset at, int received, int accepted)
    {
        var second = at.ToUnixTimeSeconds();
        lock (_gate)
        {
            _buckets.TryGetValue(second, out var b);
            _buckets[second] = (b.Received + received, b.Accepted + accepted);
            var instants = received > 0 ? _received : _accepted;
            if (instants.Count < MaxInstants) instants.Add(at.UtcTicks);
            if (_buckets.Count > MaxBuckets) _buckets.Remove(_buckets.Keys.First());
        }
    }

    public JsonObject ToJson()
    {
        var items = new JsonArray();
        foreach (var b in Buckets())
            items.Add(new JsonObject { ["second"] = SimTime.Iso(b.Second), ["received"] = b.Received, ["accepted"] = b.Accepted });
        bool truncated;
        lock (_gate) truncated = Truncated;
        return new JsonObject
        {
            ["peakReceivedPerSecond"] = PeakReceivedPerSecond,
            ["peakAcceptedPerSecond"] = PeakAcceptedPerSecond,
            ["peakReceivedInAnyWindow"] = PeakReceivedInAnyWindow,
            ["peakAcceptedInAnyWindow"] = PeakAcceptedInAnyWindow,
            ["slidingPeaksTruncated"] = truncated,
            ["buckets"] = items,
        };
    }
}
