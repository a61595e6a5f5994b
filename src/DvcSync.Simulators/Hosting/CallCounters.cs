using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace DvcSync.Simulators.Hosting;

/// <summary>
/// Calls per service (portal: <c>auth</c>, <c>DongBoHoSoMC</c>, <c>CapNhatTienDoHoSoMC</c>, <c>TraCuuHoSo</c>,
/// <c>LayThuTuc</c>; provincial: <c>token</c>, <c>hoso-list</c>, <c>hoso</c>, <c>tiendo</c>, <c>donvi</c>,
/// <c>thongke</c>) and per outcome (the <c>error_code</c> of a 200 answer, else <c>http-429</c>, <c>http-503</c>,
/// <c>http-400</c>, <c>http-401</c>..., and <c>aborted</c> for a request the client gave up on). Every request that
/// reached the simulator counts, including those refused by the rate limit or a fault.
/// </summary>
public sealed class CallCounters
{
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Service, string Outcome), long> _outcomes = new();
    private long _total;
    private long _dossiersApplied;
    private long _applyingCalls;

    /// <summary>Dossiers applied by accepted <c>DongBoHoSoMC</c> calls, and those calls: how well the client batches.</summary>
    public long DossiersApplied => Interlocked.Read(ref _dossiersApplied);

    public long ApplyingCalls => Interlocked.Read(ref _applyingCalls);

    public long Total => Interlocked.Read(ref _total);

    public long Calls(string service) => _calls.TryGetValue(service, out var n) ? n : 0;

    public long Outcome(string service, string outcome) => _outcomes.TryGetValue((service, outcome), out var n) ? n : 0;

    /// <summary>Answers with this outcome over every service.</summary>
    public long OutcomeTotal(string outcome) => _outcomes.Where(kv => kv.Key.Outcome == outcome).Sum(kv => kv.Value);

    /// <summary>service → outcome → count.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Snapshot() =>
        _outcomes.GroupBy(kv => kv.Key.Service, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(kv => kv.Key.Outcome, kv => kv.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    public void Reset()
    {
        _calls.Clear();
        _outcomes.Clear();
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _dossiersApplied, 0);
        Interlocked.Exchange(ref _applyingCalls, 0);
    }

    internal void Applied(int dossiers)
    {
        Interlocked.Increment(ref _applyingCalls);
        Interlocked.Add(ref _dossiersApplied, dossiers);
    }

    internal void Received(string service)
    {
        Interlocked.Increment(ref _total);
        _calls.AddOrUpdate(service, 1, (_, n) => n + 1);
    }

    internal void Answered(string service, string outcome) => _outcomes.AddOrUpdate((service, outcome), 1, (_, n) => n + 1);

    public JsonObject ToJson()
    {
        var services = new JsonObject();
        foreach (var (service, calls) in _calls.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var outcomes = new JsonObject();
            foreach (var kv in _outcomes.Where(kv => kv.Key.Service == service).OrderBy(kv => kv.Key.Outcome, StringComparer.Ordinal))
                outcomes[kv.Key.Outcome] = kv.Value;
            services[service] = new JsonObject { ["calls"] = calls, ["outcomes"] = outcomes };
        }
        return new JsonObject
        {
            ["total"] = Total,
            ["services"] = services,
            ["dossiersApplied"] = DossiersApplied,
            ["applyingCalls"] = ApplyingCalls,
            ["dossiersPerApplyingCall"] = ApplyingCalls == 0 ? 0 : Math.Round(DossiersApplied / (double)ApplyingCalls, 2),
        };
    }
}
