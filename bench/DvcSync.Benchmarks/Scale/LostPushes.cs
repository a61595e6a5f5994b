using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using DvcSync.Simulators;
using DvcSync.Testing;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// Issue 14's steady state: the province pushes its own changes to the portal but loses some of them; the project's
/// standalone host, with nothing but its connection settings (the shipped schedule, batching and look-up sizing), is
/// left to find and repair the lost ones. Changes are made at an even pace; the province's own pushes are written
/// straight into the portal simulator's state (the simulators run in this process for that, as the integration
/// harness runs them), so every call the portal counts is the project's. Measured on the portal side: when each lost
/// change arrived there (the portal's own time of the write), against the change's <c>NgayCapNhat</c>.
/// </summary>
internal static class LostPushes
{
    private const string Prefix = "lost";
    private const string ReadKey = "bench-read-key-lost-pushes";

    public sealed record Settings(int Changes, double LostShare, TimeSpan Span, int Dossiers, int Ceiling, int LatencyMs, TimeSpan Idle);

    private sealed record Change(string MaHoSo, int NextStatus, bool Lost)
    {
        public DateTimeOffset ChangedAt { get; set; }
        public DateTimeOffset NgayCapNhat { get; set; }
        public DateTimeOffset? ArrivedAt { get; set; }
    }

    public static async Task<bool> RunAsync(Settings o)
    {
        ScaleBenchmark.Header($"5. Steady state: {o.Changes:N0} changes over {o.Span.TotalMinutes:0.#} min, {o.LostShare:P0} of the province's pushes lost " +
                              $"(portal {o.LatencyMs} ms, ceiling {o.Ceiling}/s, the host's shipped settings)");
        var azurite = AzuriteFixture.Silent(nodeHeapMegabytes: 4096);
        await azurite.InitializeAsync();
        try
        {
            var simulatorOptions = new SimulatorOptions
            {
                DossierCount = o.Dossiers,
                Seed = 14,
                // Received over the last three days: most still in progress, so that each change is a dossier's next step.
                ScenarioStart = VnTime.StartOfDay(VnTime.Day(DateTimeOffset.UtcNow).AddDays(-3)),
                PortalRateLimitPerSecond = 0,
                PortalLatency = TimeSpan.Zero,
            };
            simulatorOptions.Scenario.AllSyncedAndCurrent();
            var clock = Stopwatch.StartNew();
            await using var simulators = await SimulatorHost.StartAsync(simulatorOptions);
            ScaleBenchmark.Say($"simulators (in this process): {simulators.Provincial.Count:N0} dossiers received from {simulatorOptions.ScenarioStart:yyyy-MM-dd}, " +
                               $"portal holds {simulators.Portal.Count:N0}, up in {clock.Elapsed.TotalSeconds:0.0} s");
            var historyFrom = VnTime.Day(simulatorOptions.ScenarioStart);
            var settings = HostSettings(simulators, azurite, historyFrom, o.Ceiling);
            await LoadConfirmedLedgerAsync(simulators, settings);
            // Where a long-running deployment's reconciliation would be: up to now.
            await SetWatermarkAsync(azurite, DateTimeOffset.UtcNow);

            var changes = Choose(simulators, o);
            var lost = changes.Count(c => c.Lost);
            ScaleBenchmark.Say($"{changes.Count:N0} dossiers in progress chosen to move one step on, {lost:N0} of them with their push lost");

            simulators.Portal.RateLimitPerSecond = o.Ceiling;
            simulators.Portal.Latency = TimeSpan.FromMilliseconds(o.LatencyMs);

            var directory = Directory.CreateTempSubdirectory("dvcsync-host-");
            var hostUrl = $"http://127.0.0.1:{FreePort.Next()}";
            var spec = new ChildSpec
            {
                Kind = "host",
                Settings = settings,
                Ports = new()
                {
                    [simulators.PortalPort] = "portal",
                    [simulators.ProvincialPort] = "provincial",
                    [azurite.TablePort] = "table",
                    [azurite.QueuePort] = "queue",
                },
                HostUrl = hostUrl,
                ReadyFile = Path.Combine(directory.FullName, "ready"),
                StopFile = Path.Combine(directory.FullName, "stop"),
            };
            var child = ChildRun.RunAsync(spec, $"the standalone host, shipped schedule ({settings.Count} settings: connections, ceiling, API key)");
            while (!File.Exists(spec.ReadyFile))
            {
                if (child.IsCompleted) await child; // throws the child's failure
                await Task.Delay(200);
            }
            using var http = new HttpClient { BaseAddress = new Uri(hostUrl), Timeout = TimeSpan.FromMinutes(2) };
            http.DefaultRequestHeaders.Add("x-functions-key", ReadKey);
            // Its first cycles read nothing new: let them pass, so the figures start with the first change.
            await Task.Delay(TimeSpan.FromSeconds(20));
            simulators.Portal.ResetStatistics();
            simulators.Provincial.Counters.Reset();

            var load = new LoadSampler();
            using var stopMonitor = new CancellationTokenSource();
            var made = new Progress();
            var monitor = MonitorAsync(simulators, changes, made, stopMonitor.Token);
            var started = DateTimeOffset.UtcNow;
            await DriveAsync(simulators, changes, made, o.Span);
            var lastChange = DateTimeOffset.UtcNow;
            ScaleBenchmark.Say($"{changes.Count:N0} changes made in {(lastChange - started).TotalSeconds:0.0} s");

            // Until every lost change is on the portal (portal side), or ten minutes after the last change.
            var deadline = lastChange + TimeSpan.FromMinutes(10);
            while (changes.Any(c => c.Lost && c.ArrivedAt is null) && DateTimeOffset.UtcNow < deadline) await Task.Delay(250);
            stopMonitor.Cancel();
            await monitor;
            var allArrived = DateTimeOffset.UtcNow;
            var portal = Statistics(simulators);
            var applied = simulators.Portal.Counters.DossiersApplied;
            // Then until health says nothing waits (its count is the ledger's in-repair entries).
            JsonNode? health = null;
            var healthDeadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(2);
            do
            {
                health = await HealthAsync(http);
                if (health?["freshness"]?["waitingRepairs"]?.GetValue<long>() == 0) break;
                await Task.Delay(1000);
            } while (DateTimeOffset.UtcNow < healthDeadline);
            var healthClear = DateTimeOffset.UtcNow;
            var loadDuring = load.Stop();

            // An idle province: no change for a while, the schedule still running.
            simulators.Portal.ResetStatistics();
            simulators.Provincial.Counters.Reset();
            await Task.Delay(o.Idle);
            var idle = Statistics(simulators);
            var idlePages = ProvincialCalls(simulators);

            await File.WriteAllTextAsync(spec.StopFile, "stop");
            var run = await child;
            directory.Delete(recursive: true);

            return Report(o, simulators, changes, portal, applied, idle, idlePages, health, run, started, lastChange, allArrived, healthClear, loadDuring);
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    // ------------------------------------------------------------------ set-up

    /// <summary>What an operator gives the host: where the two systems and the storage are, the portal's ceiling, an API key.</summary>
    private static Dictionary<string, string?> HostSettings(SimulatorHost simulators, AzuriteFixture azurite, DateOnly historyFrom, int ceiling)
    {
        var c = simulators.Credentials;
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["NationalPortal:BaseUrl"] = simulators.PortalBaseUrl,
            ["NationalPortal:Username"] = c.PortalUsername,
            ["NationalPortal:Password"] = c.PortalPassword,
            ["NationalPortal:DstCode"] = c.PortalDstCode,
            ["NationalPortal:MaDonVi"] = c.PortalMaDonVi,
            ["NationalPortal:MaxRequestsPerSecond"] = ceiling.ToString(CultureInfo.InvariantCulture),
            ["ProvincialSystem:BaseUrl"] = simulators.ProvincialBaseUrl,
            ["ProvincialSystem:ClientId"] = c.ProvincialClientId,
            ["ProvincialSystem:ClientSecret"] = c.ProvincialClientSecret,
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Sync:TablePrefix"] = Prefix,
            ["Sync:RepairQueue"] = "repair-" + Prefix,
            ["Sync:HistoryFrom"] = historyFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Api:Keys:0"] = ReadKey,
            // The host's per-cycle information lines are not what is measured; warnings still show.
            ["Logging:LogLevel:Default"] = "Warning",
        };
    }

    /// <summary>The ledger of a long-running deployment: every dossier confirmed at its current version (as <see cref="Province"/> loads it).</summary>
    private static async Task LoadConfirmedLedgerAsync(SimulatorHost simulators, Dictionary<string, string?> settings)
    {
        var clock = Stopwatch.StartNew();
        await using var setup = await Pipeline.StartAsync(settings);
        var provincial = setup.Get<IProvincialSystem>();
        var from = DateOnly.Parse(settings["Sync:HistoryFrom"]!, CultureInfo.InvariantCulture);
        var reported = await provincial.GetReceivedCountsAsync(from, VnTime.Day(DateTimeOffset.UtcNow), CancellationToken.None);
        var loader = new LedgerBulkLoader(setup.Get<StorageAccount>(), Prefix, parallelism: 8);
        var summary = await loader.LoadAsync(ConfirmedAsync(simulators), reported, CancellationToken.None);
        ScaleBenchmark.Say($"ledger '{Prefix}': {summary.Entries:N0} entries confirmed, loaded in {clock.Elapsed.TotalSeconds:0.0} s (not part of any figure)");
    }

    private static async IAsyncEnumerable<LedgerEntry> ConfirmedAsync(SimulatorHost simulators, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var header in simulators.Provincial.Headers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = SourceDossier.FromJson(header);
            yield return LedgerEntry.For(source, now).AtVersionOf(source, now).Confirmed(now);
        }
        await Task.CompletedTask;
    }

    private static async Task SetWatermarkAsync(AzuriteFixture azurite, DateTimeOffset readUpTo)
    {
        var state = StorageAccount.For(new StorageAccountOptions { ConnectionString = azurite.ConnectionString }).Table(Prefix + StorageOptions.StateTableName);
        await state.CreateIfNotExistsAsync();
        await state.UpsertEntityAsync(new TableEntity("reconcile", "watermark") { ["ReadUpTo"] = readUpTo, ["UpdatedAt"] = DateTimeOffset.UtcNow },
            TableUpdateMode.Replace);
    }

    /// <summary>Distinct dossiers in progress, in a seeded random order, and which of them lose their push (exactly the share asked, spread at random).</summary>
    private static List<Change> Choose(SimulatorHost simulators, Settings o)
    {
        var eligible = new List<(string Code, int Next)>();
        foreach (var code in simulators.Provincial.Codes())
        {
            var status = simulators.Provincial.GetDossier(code)?["TrangThaiHoSo"]?.ToString();
            int? next = status switch { "2" or "5" or "6" => 4, "4" => 9, "9" => 10, _ => null };
            if (next is { } n) eligible.Add((code, n));
        }
        if (eligible.Count < o.Changes)
            throw new InvalidOperationException($"Only {eligible.Count:N0} dossiers in progress for {o.Changes:N0} changes: raise --lost-dossiers");
        var random = new Random(14);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(eligible));
        var lost = (int)Math.Round(o.Changes * o.LostShare);
        var lostAt = Enumerable.Range(0, o.Changes).ToArray();
        random.Shuffle(lostAt);
        var lostSet = lostAt.Take(lost).ToHashSet();
        return eligible.Take(o.Changes).Select((e, i) => new Change(e.Code, e.Next, lostSet.Contains(i))).ToList();
    }

    // ------------------------------------------------------------------ the run

    /// <summary>
    /// The changes at an even pace over the span, each a dossier's next step (new version, NgayCapNhat now, a new step);
    /// the province's own push of it lands on the portal at once, unless it is one of the lost ones.
    /// </summary>
    private static async Task DriveAsync(SimulatorHost simulators, List<Change> changes, Progress made, TimeSpan span)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < changes.Count; i++)
        {
            var due = span * i / changes.Count;
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var change = changes[i];
            change.ChangedAt = DateTimeOffset.UtcNow;
            var after = simulators.Provincial.SetStatus(change.MaHoSo, change.NextStatus);
            change.NgayCapNhat = after.NgayCapNhat;
            if (!change.Lost)
            {
                simulators.Portal.Put(simulators.Provincial.GetDossier(change.MaHoSo)!);
                change.ArrivedAt = simulators.Portal.SyncedAt(change.MaHoSo);
            }
            made.Count = i + 1; // after the change's fields: the monitor reads only the changes made
        }
    }

    /// <summary>How many of the changes have been made, shared between the driver and the monitor.</summary>
    private sealed class Progress
    {
        private int _count;
        public int Count { get => Volatile.Read(ref _count); set => Volatile.Write(ref _count, value); }
    }

    /// <summary>Notes when each lost change reached the portal: the portal's own time of the first write after the change.</summary>
    private static async Task MonitorAsync(SimulatorHost simulators, List<Change> changes, Progress made, CancellationToken cancellationToken)
    {
        while (true)
        {
            var count = made.Count;
            for (var i = 0; i < count; i++)
            {
                var change = changes[i];
                if (!change.Lost || change.ArrivedAt is not null) continue;
                if (simulators.Portal.SyncedAt(change.MaHoSo) is { } at && at >= change.ChangedAt) change.ArrivedAt = at;
            }
            if (cancellationToken.IsCancellationRequested) return;
            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // one last pass above
            }
        }
    }

    private static PortalStatistics Statistics(SimulatorHost simulators)
    {
        var stats = simulators.Portal.Counters.ToJson();
        stats["histogram"] = simulators.Portal.Histogram.ToJson();
        return PortalStatistics.FromJson(stats);
    }

    private static Dictionary<string, long> ProvincialCalls(SimulatorHost simulators) =>
        simulators.Provincial.Counters.ToJson()["services"]!.AsObject().ToDictionary(s => s.Key, s => s.Value!["calls"]!.GetValue<long>());

    private static async Task<JsonNode?> HealthAsync(HttpClient http)
    {
        try
        {
            return await http.GetFromJsonAsync<JsonNode>("/api/health");
        }
        catch (HttpRequestException)
        {
            return null; // a 503 while a problem shows: tried again
        }
    }

    // ------------------------------------------------------------------ figures

    private static bool Report(Settings o, SimulatorHost simulators, List<Change> changes, PortalStatistics portal, long applied, PortalStatistics idle,
        Dictionary<string, long> idlePages, JsonNode? health, ChildResult run, DateTimeOffset started, DateTimeOffset lastChange,
        DateTimeOffset allArrived, DateTimeOffset healthClear, (double Min, double Max, double Mean) load)
    {
        var lost = changes.Where(c => c.Lost).ToList();
        var arrived = lost.Where(c => c.ArrivedAt is not null).ToList();
        double[] Sorted(Func<Change, double> f) => [.. arrived.Select(f).Order()];
        var fromNgayCapNhat = Sorted(c => (c.ArrivedAt!.Value - c.NgayCapNhat).TotalSeconds);
        var fromChange = Sorted(c => (c.ArrivedAt!.Value - c.ChangedAt).TotalSeconds);
        var lastArrival = arrived.Count == 0 ? (DateTimeOffset?)null : arrived.Max(c => c.ArrivedAt!.Value);
        var current = changes.Count(c => simulators.ComparePortalCopy(c.MaHoSo) == PortalCopyState.Current);
        var dongBo = portal.Calls("DongBoHoSoMC");
        var freshness = health?["freshness"];
        string Seconds(double? s) => s is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";

        var table = new TextTable("", "value")
            .Row("changes at the source", changes.Count)
            .Row("  pushed by the province itself (written into the portal simulator)", changes.Count - lost.Count)
            .Row("  push lost", lost.Count)
            .Row("lost changes on the portal at the end (portal side)", arrived.Count)
            .Row("changed dossiers current on the portal at the end", current)
            .Row("portal calls (simulator, all services)", portal.Total)
            .Row("  of which TraCuuHoSo", portal.Calls("TraCuuHoSo"))
            .Row("  of which DongBoHoSoMC", dongBo)
            .Row("  of which CapNhatTienDoHoSoMC", portal.Calls("CapNhatTienDoHoSoMC"))
            .Row("  of which LayThuTuc", portal.Calls("LayThuTuc"))
            .Row("**portal calls per change**", portal.Total / (double)changes.Count)
            .Row("dossiers applied by DongBoHoSoMC", applied)
            .Row("**dossiers per DongBoHoSoMC call** (goal ≥ 5)", applied / (double)Math.Max(1, dongBo))
            .Row("**freshness of lost changes, p95, s** (portal's write − NgayCapNhat; goal ≤ 60)", Seconds(HostRun.Percentile(fromNgayCapNhat, 0.95)))
            .Row("  p50, s", Seconds(HostRun.Percentile(fromNgayCapNhat, 0.50)))
            .Row("  max, s", Seconds(fromNgayCapNhat.Length == 0 ? null : fromNgayCapNhat[^1]))
            .Row("  p95 from the moment of the change (NgayCapNhat is whole seconds), s", Seconds(HostRun.Percentile(fromChange, 0.95)))
            .Row("dvcsync.freshness (host's metric, every confirmation): count", run.Number("freshnessCount"))
            .Row("  p50 / p95 / max, s", $"{Seconds(Num(run.Outcome["freshnessP50"]))} / {Seconds(Num(run.Outcome["freshnessP95"]))} / {Seconds(Num(run.Outcome["freshnessMax"]))}")
            .Row("/api/health freshness (last hour): count", Num(freshness?["count"]) ?? 0)
            .Row("  p50 / p95 / max, s", $"{Seconds(Num(freshness?["p50Seconds"]))} / {Seconds(Num(freshness?["p95Seconds"]))} / {Seconds(Num(freshness?["maxSeconds"]))}")
            .Row("  waiting repairs at the end", Num(freshness?["waitingRepairs"]) ?? -1)
            .Row("time from the last change until every lost change was on the portal, s", lastArrival is { } l ? (l - lastChange).TotalSeconds : double.NaN)
            .Row("time from the last change until health showed nothing waiting, s", (healthClear - lastChange).TotalSeconds)
            .Row($"peak calls in any one-second window (ceiling {o.Ceiling})", portal.PeakInAnyWindow)
            .Row("HTTP 429 answers", portal.Throttled)
            .Row($"idle {o.Idle.TotalSeconds:0} s afterwards: portal calls", idle.Total)
            .Row($"idle {o.Idle.TotalSeconds:0} s afterwards: provincial list reads", idlePages.GetValueOrDefault("hoso-list"))
            .Row("host peak RSS (VmHWM), MB", run.PeakRssMb)
            .Row("load average during the run (1 min: min / mean / max)", $"{load.Min:0.0} / {load.Mean:0.0} / {load.Max:0.0}");
        table.Print(ScaleBenchmark.Markdown);
        ScaleBenchmark.Say($"portal calls by service: {string.Join(", ", portal.CallsByService.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}"))}; " +
                           $"from the first change {started:HH:mm:ss} to all arrived {allArrived:HH:mm:ss} UTC");
        ScaleBenchmark.Say($"health at the end: freshness {freshness?.ToJsonString()}; reconciliation {health?["reconciliation"]?.ToJsonString()}");
        var p95 = HostRun.Percentile(fromNgayCapNhat, 0.95);
        ScaleBenchmark.Goal($"lost changes on the portal within 60 s at the 95th percentile ({Seconds(p95)} s)", p95 is <= 60 && arrived.Count == lost.Count);
        ScaleBenchmark.Goal($"at least 5 dossiers per DongBoHoSoMC call ({applied / (double)Math.Max(1, dongBo):0.0})", applied >= 5.0 * dongBo);
        var ok = ScaleBenchmark.Check($"every lost change reached the portal ({arrived.Count:N0} of {lost.Count:N0})", arrived.Count == lost.Count);
        ok &= ScaleBenchmark.Check($"every changed dossier current on the portal ({current:N0} of {changes.Count:N0})", current == changes.Count);
        ok &= ScaleBenchmark.Check("health showed nothing waiting", Num(freshness?["waitingRepairs"]) == 0);
        ok &= ScaleBenchmark.Check($"the ceiling held (peak {portal.PeakInAnyWindow} ≤ {o.Ceiling}, {portal.Throttled} HTTP 429)", portal.PeakInAnyWindow <= o.Ceiling && portal.Throttled == 0);
        ScaleBenchmark.Check($"an idle province cost no portal call ({idle.Total})", idle.Total == 0);
        return ok;
    }

    private static double? Num(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>The machine's one-minute load average, sampled every five seconds, for the record.</summary>
    private sealed class LoadSampler
    {
        private readonly List<double> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public LoadSampler() => _task = SampleAsync();

        private async Task SampleAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                var text = await File.ReadAllTextAsync("/proc/loadavg");
                lock (_samples) _samples.Add(double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture));
                try
                {
                    await Task.Delay(5000, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        public (double Min, double Max, double Mean) Stop()
        {
            _stop.Cancel();
            _task.Wait();
            lock (_samples) return _samples.Count == 0 ? (0, 0, 0) : (_samples.Min(), _samples.Max(), _samples.Average());
        }
    }
}
