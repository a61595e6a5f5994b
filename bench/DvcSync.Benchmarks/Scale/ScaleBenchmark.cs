using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Testing;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// Issue 5's benchmarks: the reconciliation at province scale against the simulators (their own process) and Azurite,
/// each measured run in a child process of its own; with <c>--store sqlite</c> (issue 16) the same on the standalone
/// host's embedded store, a SQLite file per ledger, instead of Azurite.
/// Usage: dotnet run -c Release --project bench/DvcSync.Benchmarks -- scale [check|audit|steady|memory|all] [--store azurite|sqlite] [options]
/// </summary>
internal static class ScaleBenchmark
{
    private sealed record Options
    {
        public int CheckDossiers { get; init; } = 3_000;
        public int AuditDossiers { get; init; } = 20_000;
        public int AuditChanged { get; init; } = 200;
        public int NaiveDossiers { get; init; } = 2_000;
        public int Ceiling { get; init; } = 200;
        public int LatencyMs { get; init; } = 50;
        public int Concurrency { get; init; } = 48;
        public int SteadyDossiers { get; init; } = 1_000_000;
        public int SteadyChanged { get; init; } = 7_000;
        public int[] MemorySizes { get; init; } = [100_000, 1_000_000];
        /// <summary>Days over which a province's dossiers were received: half a year of a province that receives two million a year.</summary>
        public int SpanDays { get; init; } = 182;
        /// <summary>The client's ceiling when the portal is meant to cost nothing: the most the options allow.</summary>
        public int FreeCeiling { get; init; } = 1000;
        /// <summary>Pending repairs after an outage (issue 14), drained at <see cref="BacklogCeiling"/>.</summary>
        public int BacklogRepairs { get; init; } = 10_000;
        public int BacklogCeiling { get; init; } = 20;
        /// <summary>Whether the backlog also drains one dossier per call, the baseline (off with <c>--backlog-batched-only</c>, to iterate).</summary>
        public bool BacklogBaseline { get; init; } = true;
        public ScaleStore Store { get; init; } = ScaleStore.Azurite;
        /// <summary>Issue 14's steady state: changes at an even pace over <see cref="LostMinutes"/>, <see cref="LostPercent"/> of their pushes lost.</summary>
        public int LostChanges { get; init; } = 7_000;
        public double LostPercent { get; init; } = 15;
        /// <summary>Five minutes: the 7,000 changes of issue 5's steady state came in what was then one cycle's period.</summary>
        public double LostMinutes { get; init; } = 5;
        /// <summary>The province's size; 0: three times the changes, received over the last three days.</summary>
        public int LostDossiers { get; init; }
        public int IdleSeconds { get; init; } = 60;

        public static Options Parse(string[] args)
        {
            int Int(string name, int fallback) =>
                Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
            var sizes = Array.IndexOf(args, "--memory-sizes") is var s and >= 0 && s + 1 < args.Length
                ? args[s + 1].Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray()
                : null;
            var o = new Options();
            return o with
            {
                CheckDossiers = Int("--check-dossiers", o.CheckDossiers),
                AuditDossiers = Int("--audit-dossiers", o.AuditDossiers),
                AuditChanged = Int("--audit-changed", o.AuditChanged),
                NaiveDossiers = Int("--naive-dossiers", o.NaiveDossiers),
                Ceiling = Int("--ceiling", o.Ceiling),
                LatencyMs = Int("--latency-ms", o.LatencyMs),
                Concurrency = Int("--concurrency", o.Concurrency),
                SteadyDossiers = Int("--steady-dossiers", o.SteadyDossiers),
                SteadyChanged = Int("--changed", o.SteadyChanged),
                MemorySizes = sizes ?? o.MemorySizes,
                SpanDays = Int("--span-days", o.SpanDays),
                BacklogRepairs = Int("--backlog", o.BacklogRepairs),
                BacklogCeiling = Int("--backlog-ceiling", o.BacklogCeiling),
                BacklogBaseline = !args.Contains("--backlog-batched-only"),
                Store = Array.IndexOf(args, "--store") is var t and >= 0 && t + 1 < args.Length
                    ? args[t + 1] switch
                    {
                        "sqlite" => ScaleStore.Sqlite,
                        "azurite" => ScaleStore.Azurite,
                        var other => throw new ArgumentException($"--store {other}: azurite or sqlite"),
                    }
                    : o.Store,
                LostChanges = Int("--lost-changes", o.LostChanges),
                LostPercent = Int("--lost-percent", (int)o.LostPercent),
                LostMinutes = Array.IndexOf(args, "--lost-minutes") is var m and >= 0 && m + 1 < args.Length ? double.Parse(args[m + 1], CultureInfo.InvariantCulture) : o.LostMinutes,
                LostDossiers = Int("--lost-dossiers", o.LostDossiers),
                IdleSeconds = Int("--idle-seconds", o.IdleSeconds),
            };
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        // The scenario is the first word that is neither an option nor an option's value.
        var which = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal)))
            .FirstOrDefault() ?? "all";
        if (which is not ("check" or "audit" or "steady" or "memory" or "backlog" or "lost" or "all"))
        {
            Console.Error.WriteLine("Usage: scale [check|audit|steady|memory|backlog|lost|all] [--store azurite|sqlite] [--audit-dossiers n] [--steady-dossiers n] [--changed n] [--memory-sizes a,b] [--backlog n] [--backlog-ceiling n] [--backlog-batched-only] " +
                                    "[--lost-changes n] [--lost-percent p] [--lost-minutes m] [--lost-dossiers n] [--idle-seconds s] ...");
            return 2;
        }
        var options = Options.Parse(args);
        if (options.Store == ScaleStore.Sqlite && which is ("check" or "lost"))
        {
            // The check compares the bulk loader's Azure tables with the real reconciliation's: there is no bulk loader on
            // the embedded store. The lost-pushes scenario builds its own Azurite province.
            Console.Error.WriteLine($"scale {which} runs on Azurite only: it has no --store sqlite variant");
            return 2;
        }
        Console.WriteLine(Machine());
        Markdown.Line(Machine());
        Say($"store: {(options.Store == ScaleStore.Sqlite ? "the embedded store (SQLite, a file per ledger)" : "Azurite (in memory)")}; load: {LoadAverage()}");
        Markdown.Line($"`scale {string.Join(' ', args)}`, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var clock = Stopwatch.StartNew();
        var ok = true;
        if (which is ("check" or "all") && options.Store == ScaleStore.Azurite) ok &= await GuardAsync(() => LoaderCheck.RunAsync(options.CheckDossiers, Start(options)));
        if (which is "audit" or "all") ok &= await GuardAsync(() => AuditAsync(options));
        // Not part of "all": its one-per-call arm alone takes a quarter of an hour at the issue's size.
        if (which is "backlog") ok &= await GuardAsync(() => BacklogAsync(options));
        // Not part of "all" either: it runs in real time, the changes' span and then the repairs'.
        if (which is "lost") ok &= await GuardAsync(() => LostPushes.RunAsync(new LostPushes.Settings(options.LostChanges, options.LostPercent / 100,
            TimeSpan.FromMinutes(options.LostMinutes), options.LostDossiers > 0 ? options.LostDossiers : 3 * options.LostChanges,
            options.Ceiling, options.LatencyMs, TimeSpan.FromSeconds(options.IdleSeconds))));
        // Memory before steady: they share the big province, and the memory cycle leaves its ledger as it found it,
        // while the steady cycles leave repairs pending that a later sweep would queue again.
        await using (var shared = new SharedProvince(options))
        {
            if (which is "memory" or "all") ok &= await GuardAsync(() => MemoryAsync(options, shared));
            if (which is "steady" or "all") ok &= await GuardAsync(() => SteadyAsync(options, shared));
        }
        Console.WriteLine();
        Say($"All done in {clock.Elapsed.TotalMinutes:0.0} min{(ok ? "" : " — WITH FAILED CHECKS (see above)")}; load: {LoadAverage()}.");
        var saved = Markdown.Save(RepositoryRoot.Combine("artifacts", "bench", $"scale-{which}-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}.md"));
        Console.WriteLine($"Figures in Markdown: {saved}");
        return ok ? 0 : 1;
    }

    /// <summary>A scenario that throws is reported and counted as failed; the others still run.</summary>
    private static async Task<bool> GuardAsync(Func<Task<bool>> scenario)
    {
        try
        {
            return await scenario();
        }
        catch (Exception e)
        {
            Say($"FAILED: {e.GetType().Name}: {e.Message}");
            return false;
        }
    }

    private static DateOnly Today => VnTime.Day(DateTimeOffset.UtcNow);

    private static DateOnly Start(Options o) => Today.AddDays(-o.SpanDays);

    // ------------------------------------------------------------------ 1. full audit

    private static async Task<bool> AuditAsync(Options o)
    {
        Header($"1. Full audit of {o.AuditDossiers:N0} dossiers, portal answering after {o.LatencyMs} ms, ceiling {o.Ceiling}/s");
        await using var province = await Province.StartAsync(o.Store, o.AuditDossiers, Start(o), "--all-synced",
            "--portal-rps", o.Ceiling.ToString(CultureInfo.InvariantCulture), "--portal-latency-ms", o.LatencyMs.ToString(CultureInfo.InvariantCulture));
        await province.LoadConfirmedLedgerAsync("audit");
        // What an audit is for: changes the ledger has not heard of. The portal keeps the old copies.
        var changed = await province.Simulators.ChangeAtSourceAsync(o.AuditChanged, seed: 5);
        Say($"{changed.Count:N0} dossiers changed at the source behind the ledger's back (the audit should find them stale)");

        // The naive syncer first, on a ledger of its own: its figure stands even when the audit fails.
        await province.Simulators.ResetStatisticsAsync();
        var naive = await ChildRun.RunAsync(new ChildSpec
        {
            Kind = "naive",
            Settings = province.Settings("naive", o.Ceiling, 1),
            Ports = province.Ports,
            NaiveCount = o.NaiveDossiers,
            NaiveFrom = VnTime.StartOfDay(province.HistoryFrom),
            NaiveTo = DateTimeOffset.UtcNow,
        }, $"naive sequential syncer, first {o.NaiveDossiers:N0} dossiers, fresh ledger");
        var theirs = await province.Simulators.PortalStatisticsAsync();
        Say($"naive: {naive.Number("dossiers"):N0} dossiers in {naive.WallSeconds:0.0} s: {naive.Number("dossiers") / naive.WallSeconds:0.0} dossiers/s, {theirs.Total:N0} portal calls");
        PrintHttp("naive", naive);

        // What the client's rate gate grants on its own, before any pipeline, portal or storage is involved.
        // Without a fixed number of look-ups (--concurrency 0, the shipped sizing) the probe keeps the 48 callers of the earlier runs.
        var callers = o.Concurrency > 0 ? o.Concurrency : 48;
        var alone = await RateGateProbe.GrantsPerSecondAsync(o.Ceiling, TimeSpan.FromMilliseconds(o.LatencyMs), callers, TimeSpan.FromSeconds(10));
        var lateness = await RateGateProbe.TimerLatenessMsAsync(TimeSpan.FromMilliseconds(5));
        // And at the deployment's default ceiling, where grants are ten times further apart.
        var atDefault = await RateGateProbe.GrantsPerSecondAsync(20, TimeSpan.FromMilliseconds(o.LatencyMs), callers, TimeSpan.FromSeconds(20));
        Say($"the rate gate alone ({callers} callers, {o.LatencyMs} ms each, 10 s): {alone:0} grants/s = {alone / o.Ceiling:0.00} of the ceiling; " +
            $"Task.Delay(5 ms) wakes {lateness:0.0} ms late (median) on this machine; at a ceiling of 20/s (20 s): {atDefault:0.0} grants/s = {atDefault / 20:0.00}");

        await province.Simulators.ResetStatisticsAsync();
        var audit = await ChildRun.RunAsync(new ChildSpec
        {
            Kind = "audit",
            Settings = province.Settings("audit", o.Ceiling, o.Concurrency),
            Ports = province.Ports,
            AuditFrom = province.HistoryFrom,
            AuditTo = Today,
        }, $"full audit {province.HistoryFrom:yyyy-MM-dd}..{Today:yyyy-MM-dd}, whole province, " +
           (o.Concurrency > 0 ? $"Sync:LookupConcurrency {o.Concurrency}" : "Sync:LookupConcurrency not set (sized from the ceiling and the measured cycle)"));
        var ours = await province.Simulators.PortalStatisticsAsync();


        var oursDone = audit.Number("done");
        var oursRate = oursDone / audit.WallSeconds;
        var naiveDone = naive.Number("dossiers");
        var naiveRate = naiveDone / naive.WallSeconds;
        var (phase, phaseCalls) = LookupPhase(ours);
        var interior = Interior(ours);
        var table = new TextTable("", "ours: full audit", "naive sequential")
            .Row("dossiers", oursDone, naiveDone)
            .Row("portal calls (simulator, all services)", ours.Total, theirs.Total)
            .Row("  of which TraCuuHoSo", ours.Calls("TraCuuHoSo"), theirs.Calls("TraCuuHoSo"))
            .Row("  look-ups the handler reports", audit.Number("portalLookups"), null)
            .Row("mismatches found", audit.Number("mismatches"), naive.Number("mismatches"))
            .Row("wall time, s", audit.WallSeconds, naive.WallSeconds)
            .Row("dossiers/s", oursRate, naiveRate)
            .Row($"call rate ÷ ceiling, look-up phase ({phase} s)", phaseCalls / (double)phase / o.Ceiling, null)
            .Row($"call rate ÷ ceiling, whole seconds inside it ({interior.Seconds} s)", interior.Calls / (double)Math.Max(1, interior.Seconds) / o.Ceiling, null)
            .Row("call rate ÷ ceiling, whole wall time", ours.Total / audit.WallSeconds / o.Ceiling, theirs.Total / naive.WallSeconds / o.Ceiling)
            .Row("peak calls in one calendar second", ours.PeakPerCalendarSecond, theirs.PeakPerCalendarSecond)
            .Row("peak calls in any one-second window", ours.PeakInAnyWindow, theirs.PeakInAnyWindow)
            .Row("HTTP 429 answers", ours.Throttled, theirs.Throttled)
            .Row("share of 10-ms samples with no look-up waiting at the rate gate", Fraction(audit, "gateIdleShare"), null)
            .Row("look-ups waiting at the rate gate, mean", Fraction(audit, "gateMeanWaiting"), null)
            .Row("the gate's typical round trip at the end, ms", Fraction(audit, "gateTypicalRoundTripMs"), null)
            .Row("peak RSS (VmHWM), MB", audit.PeakRssMb, naive.PeakRssMb)
            .Row("peak managed heap after GC, MB", audit.PeakHeapAfterGcMb, naive.PeakHeapAfterGcMb);
        table.Print(Markdown);
        Say($"ours ÷ naive, dossiers/s: {oursRate / naiveRate:0.0}×");
        Goal("achieved rate ≥ 0.95 × ceiling over the look-up phase", phaseCalls / (double)phase / o.Ceiling >= 0.95);
        Goal("peak in any one-second window ≤ ceiling", ours.PeakInAnyWindow <= o.Ceiling);
        PrintHttp("audit", audit);
        var ok = Check("every dossier audited", oursDone == o.AuditDossiers)
                 & Check($"the {changed.Count} changed dossiers found stale", audit.Number("mismatches") == changed.Count);
        return ok;
    }

    private static double? Fraction(ChildResult run, string name) =>
        run.Outcome[name] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>First to last calendar second with a call, inclusive, and the calls in it.</summary>
    private static (int Seconds, long Calls) LookupPhase(PortalStatistics stats)
    {
        var busy = stats.Buckets.Where(b => b.Received > 0).ToList();
        if (busy.Count == 0) return (0, 0);
        return ((int)(busy[^1].Second - busy[0].Second).TotalSeconds + 1, busy.Sum(b => (long)b.Received));
    }

    /// <summary>The same without its first and last second, which the run enters and leaves part-way through.</summary>
    private static (int Seconds, long Calls) Interior(PortalStatistics stats)
    {
        var busy = stats.Buckets.Where(b => b.Received > 0).ToList();
        if (busy.Count < 3) return (0, 0);
        var inner = stats.Buckets.Where(b => b.Second > busy[0].Second && b.Second < busy[^1].Second).ToList();
        return ((int)(busy[^1].Second - busy[0].Second).TotalSeconds - 1, inner.Sum(b => (long)b.Received));
    }

    // ------------------------------------------------------------------ 2. steady state

    /// <summary>
    /// The province of a million dossiers, started and loaded once for the steady-state and the memory benchmarks:
    /// loading it takes minutes on Azurite. Its ledger is under the prefix <see cref="Prefix"/>.
    /// </summary>
    private sealed class SharedProvince(Options options) : IAsyncDisposable
    {
        public const string Prefix = "province";
        private Province? _province;

        public TimeSpan LoadTime { get; private set; }

        public async Task<Province> GetAsync()
        {
            if (_province is not null) return _province;
            _province = await StartFreeAsync(options.Store, options.SteadyDossiers, Start(options));
            LoadTime = (await _province.LoadConfirmedLedgerAsync(Prefix)).Elapsed;
            return _province;
        }

        public ValueTask DisposeAsync() => _province?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    /// <summary>A province wholly in sync, its portal answering at once and without a ceiling.</summary>
    private static Task<Province> StartFreeAsync(ScaleStore store, int dossiers, DateOnly start) =>
        Province.StartAsync(store, dossiers, start, "--all-synced", "--portal-rps", "0", "--portal-latency-ms", "0");

    private static async Task<bool> SteadyAsync(Options o, SharedProvince shared)
    {
        Header($"2. Steady state: a ledger of {o.SteadyDossiers:N0} confirmed dossiers, {o.SteadyChanged:N0} changed at the source ({o.Store})");
        var province = await shared.GetAsync();
        var loadTime = shared.LoadTime;
        await province.Simulators.ConfigurePortalAsync(0, 0);

        // A: the portal free (instant, no ceiling at the simulator, the client at its highest ceiling).
        var watermark = DateTimeOffset.UtcNow;
        await province.SetWatermarkAsync(SharedProvince.Prefix, watermark);
        var changedA = await province.Simulators.ChangeAtSourceAsync(o.SteadyChanged, seed: 1);
        await PastTheSecondAsync();
        Console.WriteLine($"    watermark {watermark:O}, changes made until {DateTimeOffset.UtcNow:O}");
        var a = await CycleAsync(province, SharedProvince.Prefix, o.FreeCeiling, o.Concurrency,
            $"A: one cycle, {changedA.Count:N0} changed, portal instant (client ceiling {o.FreeCeiling}/s)");

        // B: the same window again: the ledger now vouches for all of it, so this is the provincial read and the diff alone.
        await province.SetWatermarkAsync(SharedProvince.Prefix, watermark);
        var b = await CycleAsync(province, SharedProvince.Prefix, o.FreeCeiling, o.Concurrency, "B: the same window again (ledger covers it: no portal calls)");

        // C: the portal as the issue sets it.
        await province.Simulators.ConfigurePortalAsync(o.Ceiling, o.LatencyMs);
        watermark = DateTimeOffset.UtcNow;
        await province.SetWatermarkAsync(SharedProvince.Prefix, watermark);
        var changedC = await province.Simulators.ChangeAtSourceAsync(o.SteadyChanged, seed: 2);
        await PastTheSecondAsync();
        Console.WriteLine($"    watermark {watermark:O}, changes made until {DateTimeOffset.UtcNow:O}");
        var c = await CycleAsync(province, SharedProvince.Prefix, o.Ceiling, o.Concurrency,
            $"C: one cycle, {changedC.Count:N0} more changed, portal {o.LatencyMs} ms, ceiling {o.Ceiling}/s");

        var table = new TextTable("", "A: portal instant", "B: same window", $"C: {o.LatencyMs} ms, {o.Ceiling}/s")
            .Row("changed at the source", changedA.Count, 0, changedC.Count)
            .Row("dossiers read from the provincial system", a.Run.Number("dossiersRead"), b.Run.Number("dossiersRead"), c.Run.Number("dossiersRead"))
            .Row("portal look-ups (handler)", a.Run.Number("portalLookups"), b.Run.Number("portalLookups"), c.Run.Number("portalLookups"))
            .Row("portal calls (simulator, all services)", a.Portal.Total, b.Portal.Total, c.Portal.Total)
            .Row("portal calls ÷ changed (goal ≤ 1.05)", a.Portal.Total / (double)changedA.Count, null, c.Portal.Total / (double)changedC.Count)
            .Row("mismatches found", a.Run.Number("mismatchesFound"), b.Run.Number("mismatchesFound"), c.Run.Number("mismatchesFound"))
            .Row("wall time of the cycle, s", a.Run.WallSeconds, b.Run.WallSeconds, c.Run.WallSeconds)
            .Row("peak calls in any one-second window", a.Portal.PeakInAnyWindow, b.Portal.PeakInAnyWindow, c.Portal.PeakInAnyWindow)
            .Row("HTTP 429 answers", a.Portal.Throttled, b.Portal.Throttled, c.Portal.Throttled)
            .Row("peak RSS (VmHWM), MB", a.Run.PeakRssMb, b.Run.PeakRssMb, c.Run.PeakRssMb)
            .Row("peak managed heap after GC, MB", a.Run.PeakHeapAfterGcMb, b.Run.PeakHeapAfterGcMb, c.Run.PeakHeapAfterGcMb);
        table.Print(Markdown);
        Say($"ledger load (not part of any figure): {loadTime.TotalSeconds:0} s");
        Goal($"portal calls ≤ 1.05 × changed (C: {c.Portal.Total:N0} for {changedC.Count:N0})", c.Portal.Total <= 1.05 * changedC.Count);
        Goal($"local part ≤ 60 s (B, provincial read + ledger diff, no portal: {b.Run.WallSeconds:0.0} s)", b.Run.WallSeconds <= 60);
        Goal($"local part ≤ 60 s (A, with the verdicts written and the instant portal: {a.Run.WallSeconds:0.0} s)", a.Run.WallSeconds <= 60);
        PrintHttp("A", a.Run);
        PrintHttp("B", b.Run);
        PrintHttp("C", c.Run);

        var ok = Check("B made no portal call", b.Portal.Total == 0);
        ok &= await CheckVerdictsAsync(province, SharedProvince.Prefix, changedC);
        return ok;
    }

    /// <summary>
    /// Waits into the next second: a run's window ends where it starts, sent to the provincial system truncated to the
    /// second and exclusive, so a change made in the second the run starts is left to the next run (its overlap reads it).
    /// </summary>
    private static Task PastTheSecondAsync() => Task.Delay(TimeSpan.FromMilliseconds(1100));

    private static async Task<(ChildResult Run, PortalStatistics Portal)> CycleAsync(Province province, string prefix, int ceiling, int concurrency, string label)
    {
        var loadBefore = LoadAverage();
        await province.Simulators.ResetStatisticsAsync();
        var run = await ChildRun.RunAsync(new ChildSpec
        {
            Kind = "reconcile",
            Settings = province.Settings(prefix, ceiling, concurrency),
            Ports = province.Ports,
        }, label);
        Console.WriteLine($"    window {run.Outcome["windowFrom"]} .. {run.Outcome["windowTo"]}: {run.Number("dossiersRead"):N0} read, " +
                          $"{run.Number("portalLookups"):N0} looked up, {run.WallSeconds:0.0} s");
        Say($"{label}: {run.WallSeconds:0.0} s; load average before {loadBefore}, after {LoadAverage()}");
        return (run, await province.Simulators.PortalStatisticsAsync());
    }

    /// <summary>Every changed dossier's entry now speaks for its new version and waits for a repair.</summary>
    private static async Task<bool> CheckVerdictsAsync(Province province, string prefix, IReadOnlyList<string> changed)
    {
        await using var setup = await Pipeline.StartAsync(province.Settings(prefix, 20));
        var ledger = setup.Get<ISyncLedger>();
        var provincial = setup.Get<IProvincialSystem>();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var code in changed)
        {
            var source = await provincial.GetDossierAsync(code, CancellationToken.None) ?? throw new InvalidOperationException(code + " is gone");
            var entry = await ledger.GetAsync(source.MaDonVi, code, CancellationToken.None);
            var outcome = entry is null ? "no entry"
                : $"{entry.State.ToWire()}, portal holds {entry.PortalHolds}, version {(entry.PhienBan == source.PhienBan ? "current" : entry.PhienBan < source.PhienBan ? "behind" : "ahead")}";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        foreach (var (outcome, count) in outcomes.OrderByDescending(o => o.Value)) Say($"{count:N0} × {outcome}");
        return Check($"all {changed.Count:N0} changed dossiers recorded stale at their new version, pending repair",
            outcomes.Keys.SequenceEqual(["pending, portal holds True, version current"]));
    }

    // ------------------------------------------------------------------ 4. backlog of repairs (issue 14)

    /// <summary>
    /// A backlog of pending repairs, as an outage leaves it, drained at the portal's ceiling: batched (the shipped
    /// <c>Sync:RepairBatchSize</c>, 50) beside one dossier per call (<c>Sync:RepairBatchSize</c> 1, the behaviour before
    /// batching), each on a province of its own so that neither finds the other's work done.
    /// </summary>
    private static async Task<bool> BacklogAsync(Options o)
    {
        Header($"4. A backlog of {o.BacklogRepairs:N0} pending repairs drained at a ceiling of {o.BacklogCeiling}/s (portal {o.LatencyMs} ms)");
        var batched = await DrainArmAsync(o, 50, "batched (Sync:RepairBatchSize 50)");
        var single = o.BacklogBaseline ? await DrainArmAsync(o, 1, "one per call (Sync:RepairBatchSize 1)") : ((ChildResult Run, PortalStatistics Portal, long Repaired, long Queued)?)null;
        var arms = new List<(string Name, (ChildResult Run, PortalStatistics Portal, long Repaired, long Queued) Arm)> { ("batched (50)", batched) };
        if (single is { } baseline) arms.Add(("one per call (1)", baseline));

        static double PerDossier((ChildResult Run, PortalStatistics Portal, long Repaired, long Queued) arm) => arm.Portal.Total / (double)Math.Max(1, arm.Repaired);
        TextTable Row(TextTable t, string name, Func<(ChildResult Run, PortalStatistics Portal, long Repaired, long Queued), object> value) =>
            t.Row([name, .. arms.Select(a => value(a.Arm))]);
        var table = new TextTable(["", .. arms.Select(a => a.Name)]);
        Row(table, "repairs queued", a => a.Queued);
        Row(table, "dossiers repaired (synced)", a => a.Repaired);
        Row(table, "found already synced (a failed message's dossiers concluded before it failed)", a => a.Run.Number(nameof(DvcSync.Application.Repair.RepairOutcome.AlreadyCurrent)));
        Row(table, "repair messages handled (deliveries)", a => a.Run.Number("messages"));
        Row(table, $"of them failed (an exception; delivered again after Sync:RepairRedeliverySeconds, {batched.Run.Number("redeliverySeconds")} s)", a => a.Run.Number("failedMessages"));
        Row(table, "messages still invisible when the drain ended (not drained)", a => a.Run.Number("notDrained"));
        Row(table, "portal calls (simulator, all services)", a => a.Portal.Total);
        Row(table, "of which DongBoHoSoMC", a => a.Portal.Calls("DongBoHoSoMC"));
        Row(table, "of which CapNhatTienDoHoSoMC", a => a.Portal.Calls("CapNhatTienDoHoSoMC"));
        Row(table, "**portal calls per repaired dossier** (goal ≤ 0.3)", a => PerDossier(a));
        Row(table, "dossiers per DongBoHoSoMC call", a => a.Repaired / (double)Math.Max(1, a.Portal.Calls("DongBoHoSoMC")));
        Row(table, "**time to drain, s**", a => a.Run.WallSeconds);
        Row(table, "dossiers repaired per second", a => a.Repaired / a.Run.WallSeconds);
        Row(table, "call rate ÷ ceiling", a => a.Portal.Total / a.Run.WallSeconds / o.BacklogCeiling);
        Row(table, $"peak calls in any one-second window (ceiling {o.BacklogCeiling})", a => a.Portal.PeakInAnyWindow);
        Row(table, "HTTP 429 answers", a => a.Portal.Throttled);
        Row(table, "peak RSS (VmHWM), MB", a => a.Run.PeakRssMb);
        table.Print(Markdown);
        Goal($"batched ≤ 0.3 portal calls per repaired dossier ({PerDossier(batched):0.000})", PerDossier(batched) <= 0.3);
        if (single is { } one)
        {
            var speedup = one.Run.WallSeconds / batched.Run.WallSeconds;
            Goal($"batched drains ≥ 5× faster than one per call ({speedup:0.0}×)", speedup >= 5);
        }
        // A dossier of a message that failed may have been concluded before the failure: found synced when it comes back.
        var ok = Check("every queued repair of each arm synced, nothing left invisible",
            arms.All(a => a.Arm.Repaired + a.Arm.Run.Number(nameof(DvcSync.Application.Repair.RepairOutcome.AlreadyCurrent)) == a.Arm.Queued && a.Arm.Run.Number("notDrained") == 0));
        ok &= Check("no repair message failed", arms.All(a => a.Arm.Run.Number("failedMessages") == 0));
        ok &= Check($"the ceiling held (peak ≤ {o.BacklogCeiling} in any one-second window, no 429)",
            arms.All(a => a.Arm.Portal.PeakInAnyWindow <= o.BacklogCeiling && a.Arm.Portal.Throttled == 0));
        return ok;
    }

    /// <summary>
    /// One arm: a province in sync whose ledger vouches for every dossier; <c>BacklogRepairs</c> dossiers then change at
    /// the source while the portal keeps the old copies; a reconciliation against a free portal finds them stale and
    /// queues their repairs (pending in the ledger, as after an outage); then the queue is drained at the ceiling.
    /// </summary>
    private static async Task<(ChildResult Run, PortalStatistics Portal, long Repaired, long Queued)> DrainArmAsync(Options o, int batchSize, string label)
    {
        // In-progress dossiers are the ones a change can move on: dossiers of the last few days, most still in progress.
        await using var province = await StartFreeAsync(o.Store, o.BacklogRepairs * 2, Today.AddDays(-3));
        var prefix = "backlog" + batchSize.ToString(CultureInfo.InvariantCulture);
        await province.LoadConfirmedLedgerAsync(prefix);
        var watermark = DateTimeOffset.UtcNow;
        await province.SetWatermarkAsync(prefix, watermark);
        var changed = await province.Simulators.ChangeAtSourceAsync(o.BacklogRepairs, seed: 14);
        await PastTheSecondAsync();

        var settings = province.Settings(prefix, o.FreeCeiling, o.Concurrency);
        settings["Sync:RepairBatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture);
        var found = await ChildRun.RunAsync(new ChildSpec { Kind = "reconcile", Settings = settings, Ports = province.Ports },
            $"{label}: the reconciliation that finds the {changed.Count:N0} changed dossiers stale and queues their repairs");
        var queued = found.Number("repairsQueued");
        Say($"{label}: {queued:N0} repairs queued in {found.WallSeconds:0.0} s (not part of the figures)");

        await province.Simulators.ConfigurePortalAsync(o.BacklogCeiling, o.LatencyMs);
        await province.Simulators.ResetStatisticsAsync();
        var drainSettings = province.Settings(prefix, o.BacklogCeiling, o.Concurrency);
        drainSettings["Sync:RepairBatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture);
        var run = await ChildRun.RunAsync(new ChildSpec { Kind = "drain", Settings = drainSettings, Ports = province.Ports },
            $"{label}: draining the repair queue at {o.BacklogCeiling} calls/s");
        var portal = await province.Simulators.PortalStatisticsAsync();
        var repaired = run.Number(nameof(DvcSync.Application.Repair.RepairOutcome.Synced));
        Say($"{label}: {repaired:N0} synced in {run.WallSeconds:0.0} s, {portal.Total:N0} portal calls " +
            $"({string.Join(", ", portal.CallsByService.OrderByDescending(c => c.Value).Select(c => $"{c.Key} {c.Value:N0}"))}); outcomes {run.Outcome.ToJsonString()}");
        return (run, portal, repaired, queued);
    }

    // ------------------------------------------------------------------ 3. memory

    private static async Task<bool> MemoryAsync(Options o, SharedProvince shared)
    {
        Header($"3. Memory of the local part: one cycle re-reading every dossier of a half-year period, ledger covering all");
        var rows = new List<(int Dossiers, ChildResult Run, PortalStatistics Portal)>();
        foreach (var size in o.MemorySizes)
        {
            var own = size == o.SteadyDossiers ? null : await StartFreeAsync(o.Store, size, Start(o));
            try
            {
                var province = own ?? await shared.GetAsync();
                var prefix = own is null ? SharedProvince.Prefix : "memory";
                if (own is not null) await own.LoadConfirmedLedgerAsync(prefix);
                await province.Simulators.ConfigurePortalAsync(0, 0);
                // Just before the first dossier: the window holds the whole period.
                await province.SetWatermarkAsync(prefix, VnTime.StartOfDay(province.HistoryFrom).AddDays(-1));
                var (run, portal) = await CycleAsync(province, prefix, o.FreeCeiling, o.Concurrency, $"{size:N0} dossiers: one cycle over the whole period");
                rows.Add((size, run, portal));
                PrintHttp($"{size:N0}", run);
            }
            finally
            {
                if (own is not null) await own.DisposeAsync();
            }
        }
        var table = new TextTable("dossiers in the period", "read", "portal calls", "wall, s", "RSS before, MB", "peak RSS, MB",
            "heap before, MB", "peak heap after GC, MB", "peak heap incl. garbage, MB", "GCs (0/1/2)");
        foreach (var (size, run, portal) in rows)
            table.Row(size, run.Number("dossiersRead"), portal.Total, run.WallSeconds, run.RssBeforeMb, run.PeakRssMb,
                run.HeapBeforeMb, run.PeakHeapAfterGcMb, run.PeakHeapAllocatedMb, $"{run.Gen0}/{run.Gen1}/{run.Gen2}");
        table.Print(Markdown);
        if (rows.Count >= 2)
        {
            var (small, large) = (rows[0], rows[^1]);
            var growth = (large.Run.PeakRssMb - large.Run.RssBeforeMb) / Math.Max(1, small.Run.PeakRssMb - small.Run.RssBeforeMb);
            Say($"peak RSS {small.Run.PeakRssMb:0} MB at {small.Dossiers:N0} and {large.Run.PeakRssMb:0} MB at {large.Dossiers:N0} " +
                              $"({large.Dossiers / (double)small.Dossiers:0}× the dossiers; growth above the idle host {growth:0.0}×)");
            Goal("flat: peak RSS at the larger size within 25% of the smaller", large.Run.PeakRssMb <= 1.25 * small.Run.PeakRssMb);
        }
        return rows.Aggregate(true, (ok, r) => ok & Check($"{r.Dossiers:N0}: every dossier read, no portal call",
            r.Run.Number("dossiersRead") >= r.Dossiers && r.Portal.Total == 0));
    }

    // ------------------------------------------------------------------ output

    internal static readonly Report Markdown = new();

    internal static void Header(string title)
    {
        Console.WriteLine();
        Console.WriteLine(title);
        Console.WriteLine(new string('=', title.Length));
        Markdown.Line("### " + title);
    }

    /// <summary>A line for the console and the report.</summary>
    internal static void Say(string line)
    {
        Console.WriteLine("  " + line);
        Markdown.Line(line);
    }

    internal static void Goal(string what, bool met) => Say($"goal: {what}: **{(met ? "met" : "NOT MET")}**");

    internal static bool Check(string what, bool passed)
    {
        Say($"check: {what}: {(passed ? "yes" : "NO")}");
        return passed;
    }

    private static void PrintHttp(string label, ChildResult run)
    {
        Say($"{label}: HTTP requests of the measured process, and its embedded-store calls (store: …) on the embedded store " +
            "(busy = wall time with at least one in flight)");
        var table = new TextTable("    to", "requests", "busy, s", "summed, s");
        foreach (var kind in run.Http) table.Row("    " + kind.Kind, kind.Calls, kind.BusySeconds, kind.SummedSeconds);
        table.Print(Markdown);
    }

    /// <summary>The machine's load average (1, 5, 15 min), as <c>uptime</c> prints it: the cores are shared.</summary>
    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    public static string Machine()
    {
        var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } m
            ? $"{long.Parse(m.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0:0.0} GiB"
            : "?";
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var azurite = File.ReadLines(RepositoryRoot.Combine("node_modules", "azurite", "package.json"))
            .FirstOrDefault(l => l.Contains("\"version\"", StringComparison.Ordinal))?.Split('"')[3] ?? "?";
        return $"Machine: {Environment.ProcessorCount} cores ({cpu}), {memory}, {RuntimeInformation.OSDescription}; " +
               $"{RuntimeInformation.FrameworkDescription}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; " +
               $"Node {Command("node", "--version")}, Azurite {azurite} (in memory)";
    }

    private static string Command(string file, string args)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
