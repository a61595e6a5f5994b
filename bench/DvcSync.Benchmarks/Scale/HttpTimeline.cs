using System.Collections;
using System.Diagnostics;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// Every outgoing HTTP request of the process, from the runtime's own <c>System.Net.Http</c> activities, sorted by
/// where it went: the portal, the provincial system, and storage by kind of operation. For each kind: how many, and for
/// how much of the wall time at least one was in flight (to the millisecond), which says where a run spent its time.
/// Only counters and one bit per millisecond are kept, so it does not grow with the number of requests. On the
/// embedded store, the ledger's and the repair queue's calls are counted the same way (<see cref="StoreTimeline"/>).
/// </summary>
internal sealed class HttpTimeline : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly Dictionary<int, string> _ports;
    private readonly Dictionary<string, Kind> _kinds = new(StringComparer.Ordinal);
    private readonly DateTime _origin = DateTime.UtcNow;
    private readonly Lock _gate = new();

    private sealed class Kind
    {
        public long Calls;
        public double Seconds;
        public readonly BitArray Busy = new(0);
    }

    /// <param name="ports">Port → name: the portal's, the provincial system's, storage's table and queue ports.</param>
    public HttpTimeline(Dictionary<int, string> ports)
    {
        _ports = ports;
        // The runtime puts '*' for the query string in the URLs it records; this process keeps them to itself, and
        // table queries are told apart by their filter.
        AppContext.SetSwitch("System.Net.Http.DisableUriRedaction", true);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "System.Net.Http" or StoreTimeline.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = Stopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private void Stopped(Activity activity)
    {
        var name = Classify(activity);
        var start = (int)Math.Max(0, (activity.StartTimeUtc - _origin).TotalMilliseconds);
        var end = (int)Math.Ceiling((activity.StartTimeUtc + activity.Duration - _origin).TotalMilliseconds);
        lock (_gate)
        {
            if (!_kinds.TryGetValue(name, out var kind)) _kinds[name] = kind = new Kind();
            kind.Calls++;
            kind.Seconds += activity.Duration.TotalSeconds;
            if (kind.Busy.Length < end + 1) kind.Busy.Length = Math.Max(end + 1, kind.Busy.Length * 2);
            for (var ms = start; ms < end; ms++) kind.Busy[ms] = true;
        }
    }

    private string Classify(Activity activity)
    {
        if (activity.Source.Name == StoreTimeline.SourceName) return "store: " + activity.DisplayName;
        var port = activity.GetTagItem("server.port") is int p ? p : -1;
        var target = _ports.GetValueOrDefault(port, "other");
        if (target != "table") return target;
        var url = Uri.UnescapeDataString(activity.GetTagItem("url.full") as string ?? "");
        var method = activity.GetTagItem("http.request.method") as string ?? "";
        if (url.Contains("$batch", StringComparison.Ordinal)) return "table: batch";
        var table = Tables.FirstOrDefault(t => url.Contains(t + "(", StringComparison.Ordinal)) ?? "service";
        if (method != "GET") return $"table: {table} write";
        if (url.Contains("(PartitionKey=", StringComparison.Ordinal)) return $"table: {table} point read";
        // Which rows a query asks for: the ledger's row keys start with a kind (h| entries, d| days, m| months, r| in repair).
        var from = url.IndexOf("RowKey ge '", StringComparison.Ordinal);
        var kind = from >= 0 && url.Length > from + 13 ? url.Substring(from + 11, 2) : "";
        return $"table: {table} query {kind}".TrimEnd();
    }

    private static readonly string[] Tables = ["SyncLedger", "SyncState", "SyncRollups", "SyncAudit"];

    public IReadOnlyList<HttpKindSummary> Summary()
    {
        lock (_gate)
            return _kinds.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k =>
            {
                var busy = 0;
                for (var i = 0; i < k.Value.Busy.Length; i++) if (k.Value.Busy[i]) busy++;
                return new HttpKindSummary(k.Key, k.Value.Calls, busy / 1000.0, k.Value.Seconds);
            }).ToList();
    }

    public void Dispose() => _listener.Dispose();
}

/// <param name="BusySeconds">Wall time with at least one such request in flight.</param>
/// <param name="SummedSeconds">The requests' durations added up (more than the busy time when they overlap).</param>
internal sealed record HttpKindSummary(string Kind, long Calls, double BusySeconds, double SummedSeconds);
