using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// Both simulators in a process of their own, started from the simulator executable that the build copies beside the
/// benchmark, so that the memory of the process under measurement is the pipeline's alone. Driven through its
/// <c>/_sim</c> control routes.
/// </summary>
internal sealed partial class SimulatorProcess : IAsyncDisposable
{
    // The simulator's defaults (SimulatorOptions): it prints them, and the pipeline is configured with them.
    public const string PortalUsername = "dvcsync";
    public const string PortalPassword = "dvcsync-demo";
    public const string PortalDstCode = "H19";
    public const string PortalMaDonVi = "000.00.00.H19";
    public const string ProvincialClientId = "dvcsync";
    public const string ProvincialClientSecret = "dvcsync-demo-secret";

    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(10) };

    private SimulatorProcess(Process process, string portal, string provincial, TimeSpan startup)
    {
        _process = process;
        PortalUrl = portal;
        ProvincialUrl = provincial;
        Startup = startup;
    }

    public string PortalUrl { get; }
    public string ProvincialUrl { get; }
    public TimeSpan Startup { get; }
    public int PortalPort => new Uri(PortalUrl).Port;
    public int ProvincialPort => new Uri(ProvincialUrl).Port;

    public static async Task<SimulatorProcess> StartAsync(params string[] options)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, "DvcSync.Simulators");
        var dll = Path.Combine(AppContext.BaseDirectory, "DvcSync.Simulators.dll");
        var start = File.Exists(apphost) ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet") { ArgumentList = { dll } };
        foreach (var option in new[] { "--portal-port", "0", "--provincial-port", "0" }.Concat(options)) start.ArgumentList.Add(option);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("The simulators did not start");
        string? portal = null, provincial = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.Add(e.Data);
            if (PortalLine().Match(e.Data) is { Success: true } p) portal = p.Groups[1].Value;
            if (ProvincialLine().Match(e.Data) is { Success: true } q) provincial = q.Groups[1].Value;
            if (e.Data.Contains("Press Ctrl+C", StringComparison.Ordinal)) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var finished = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(5)));
        if (finished != ready.Task || portal is null || provincial is null)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            lock (output) throw new InvalidOperationException("The simulators did not come up:\n" + string.Join("\n", output));
        }
        return new SimulatorProcess(process, portal, provincial, clock.Elapsed);
    }

    [GeneratedRegex(@"National portal:\s+(http://\S+)")]
    private static partial Regex PortalLine();

    [GeneratedRegex(@"Provincial system:\s+(http://\S+)")]
    private static partial Regex ProvincialLine();

    /// <summary>The settings that point the pipeline at these simulators.</summary>
    public Dictionary<string, string?> PipelineSettings() => new()
    {
        ["NationalPortal:BaseUrl"] = PortalUrl,
        ["NationalPortal:Username"] = PortalUsername,
        ["NationalPortal:Password"] = PortalPassword,
        ["NationalPortal:DstCode"] = PortalDstCode,
        ["NationalPortal:MaDonVi"] = PortalMaDonVi,
        ["ProvincialSystem:BaseUrl"] = ProvincialUrl,
        ["ProvincialSystem:ClientId"] = ProvincialClientId,
        ["ProvincialSystem:ClientSecret"] = ProvincialClientSecret,
    };

    /// <summary>The portal's latency and ceiling, changed while running.</summary>
    public async Task ConfigurePortalAsync(int requestsPerSecond, int latencyMs)
    {
        using var response = await _http.PostAsJsonAsync($"{PortalUrl}/_sim/config", new { rateLimitPerSecond = requestsPerSecond, latencyMs });
        response.EnsureSuccessStatusCode();
    }

    public async Task ResetStatisticsAsync()
    {
        (await _http.PostAsync($"{PortalUrl}/_sim/stats/reset", null)).EnsureSuccessStatusCode();
        (await _http.PostAsync($"{ProvincialUrl}/_sim/stats/reset", null)).EnsureSuccessStatusCode();
    }

    public async Task<PortalStatistics> PortalStatisticsAsync() =>
        PortalStatistics.FromJson((await _http.GetFromJsonAsync<JsonObject>($"{PortalUrl}/_sim/stats"))!);

    /// <summary>Requests the provincial simulator received, by route (hoso-list, hoso, token...).</summary>
    public async Task<Dictionary<string, long>> ProvincialCallsAsync()
    {
        var stats = (await _http.GetFromJsonAsync<JsonObject>($"{ProvincialUrl}/_sim/stats"))!;
        return stats["services"]!.AsObject().ToDictionary(s => s.Key, s => s.Value!["calls"]!.GetValue<long>());
    }

    /// <summary>A busy day at the source: <paramref name="count"/> dossiers in progress move on; the portal keeps the old copies.</summary>
    public async Task<IReadOnlyList<string>> ChangeAtSourceAsync(int count, int seed)
    {
        using var response = await _http.PostAsJsonAsync($"{ProvincialUrl}/_sim/changes", new { count, seed });
        response.EnsureSuccessStatusCode();
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var codes = body["codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        if (codes.Count != count) throw new InvalidOperationException($"Only {codes.Count} of {count} dossiers could be changed at the source");
        return codes;
    }

    /// <summary>Every dossier's codes, dates and version, streamed.</summary>
    public async IAsyncEnumerable<JsonObject> HeadersAsync()
    {
        using var response = await _http.GetAsync($"{ProvincialUrl}/_sim/headers", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        await foreach (var header in JsonSerializer.DeserializeAsyncEnumerable<JsonObject>(stream))
            if (header is not null) yield return header;
    }

    /// <summary>The simulators' own peak resident memory, for the record.</summary>
    public double PeakRssMb => ProcStatus.PeakRssMb(_process.Id);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>What the portal simulator counted since its statistics were last reset.</summary>
internal sealed record PortalStatistics(
    long Total,
    IReadOnlyDictionary<string, long> CallsByService,
    long Throttled,
    int PeakPerCalendarSecond,
    int PeakInAnyWindow,
    int PeakAcceptedInAnyWindow,
    IReadOnlyList<(DateTimeOffset Second, int Received)> Buckets)
{
    public long Calls(string service) => CallsByService.GetValueOrDefault(service);

    public static PortalStatistics FromJson(JsonObject stats)
    {
        var services = stats["services"]!.AsObject();
        var calls = services.ToDictionary(s => s.Key, s => s.Value!["calls"]!.GetValue<long>());
        var throttled = services.Sum(s => s.Value!["outcomes"]!.AsObject().Where(o => o.Key == "http-429").Sum(o => o.Value!.GetValue<long>()));
        var histogram = stats["histogram"]!;
        var buckets = histogram["buckets"]!.AsArray()
            .Select(b => (DateTimeOffset.Parse(b!["second"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture), b["received"]!.GetValue<int>()))
            .ToList();
        if (histogram["slidingPeaksTruncated"]?.GetValue<bool>() == true)
            throw new InvalidOperationException("The portal simulator stopped recording instants: its sliding peaks are incomplete");
        return new PortalStatistics(stats["total"]!.GetValue<long>(), calls, throttled,
            histogram["peakReceivedPerSecond"]!.GetValue<int>(), histogram["peakReceivedInAnyWindow"]!.GetValue<int>(),
            histogram["peakAcceptedInAnyWindow"]!.GetValue<int>(), buckets);
    }
}
