using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>One second of the portal simulator's clock: requests received and those admitted by the rate limit.</summary>
public readonly record struct HistogramBucket(DateTimeOffset Second, int Received, int Accepted);

/// <summary>
/// Requests per second (by the simulator's clock): every request received, and separately the ones the rate
/// limit admitted (<c>Accepted</c>, whatever the answer was afterwards). Read the peak rate from it.
/// </summary>
public sealed class RequestHistogram
{
    private const int MaxBuckets = 200_000;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, (int Received, int Accepted)> _buckets = new();

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
        lock (_gate) _buckets.Clear();
    }

    internal void RecordReceived(DateTimeOffset at) => Add(at, 1, 0);

    internal void RecordAccepted(DateTimeOffset at) => Add(at, 0, 1);

    private void Add(DateTimeOffset at, int received, int accepted)
    {
        var second = at.ToUnixTimeSeconds();
        lock (_gate)
        {
            _buckets.TryGetValue(second, out var b);
            _buckets[second] = (b.Received + received, b.Accepted + accepted);
            if (_buckets.Count > MaxBuckets) _buckets.Remove(_buckets.Keys.First());
        }
    }

    public JsonObject ToJson()
    {
        var items = new JsonArray();
        foreach (var b in Buckets())
            items.Add(new JsonObject { ["second"] = SimTime.Iso(b.Second), ["received"] = b.Received, ["accepted"] = b.Accepted });
        return new JsonObject
        {
            ["peakReceivedPerSecond"] = PeakReceivedPerSecond,
            ["peakAcceptedPerSecond"] = PeakAcceptedPerSecond,
            ["buckets"] = items,
        };
    }
}
