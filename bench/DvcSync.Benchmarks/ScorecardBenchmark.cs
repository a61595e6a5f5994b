using System.Diagnostics;
using Azure.Data.Tables;
using DvcSync.Application.Agencies;
using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Agencies;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Infrastructure.Storage;
using DvcSync.Testing;
using static DvcSync.Benchmarks.IndicatorBenchmark;

namespace DvcSync.Benchmarks;

/// <summary>
/// Issue 12's benchmark: a year of a large province in the ledger on Azurite, every entry with the facts of both
/// copies, then a year-long province-wide scorecard answered from the roll-ups, next to a naive scan that reads every
/// entry and computes the same scorecard, and the sync-rate query over the same ledger.
/// Usage: dotnet run -c Release --project bench/DvcSync.Benchmarks -- scorecard [--dossiers 500000] [--agencies 130] [--runs 40]
/// </summary>
public static class ScorecardBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var dossiers = Arg(args, "--dossiers", 500_000);
        var agencyCount = Arg(args, "--agencies", 130);
        var runs = Arg(args, "--runs", 40);
        var naiveRuns = Arg(args, "--naive-runs", 1);
        Console.WriteLine($"Scorecard benchmark: {dossiers:N0} dossiers, {agencyCount} agencies, year 2025; {Environment.ProcessorCount} cores");

        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            var account = StorageAccount.For(new StorageAccountOptions { ConnectionString = azurite.ConnectionString });
            var ledgerTable = account.Table(StorageOptions.LedgerTableName);
            var stateTable = account.Table(StorageOptions.StateTableName);
            var rollupTable = account.Table(StorageOptions.RollupTableName);
            foreach (var table in new[] { ledgerTable, stateTable, rollupTable }) await table.CreateIfNotExistsAsync();

            var agencies = Agencies(agencyCount);
            var load = Stopwatch.StartNew();
            await LoadAsync(ledgerTable, agencies, dossiers);
            var ledger = new TableSyncLedger(ledgerTable, new PartitionRegistry(stateTable), rollupTable);
            foreach (var agency in agencies.Skip(1)) await new PartitionRegistry(stateTable).EnsureAsync(agency.MaDonVi, CancellationToken.None);
            await ledger.RepairRollupCopiesAsync(CancellationToken.None);
            Console.WriteLine($"Loaded in {load.Elapsed.TotalSeconds:0.0} s ({dossiers / load.Elapsed.TotalSeconds:N0} dossiers/s, entries + 1.4 and scorecard day rows and roll-ups)");
            RollupBytes.Print();

            var directory = new AgencyDirectory(new AgenciesOnly(agencies), new TableAgencyArchive(stateTable, new PartitionRegistry(stateTable)), TimeProvider.System);
            var syncRateQuery = new SyncRateQuery(directory, ledger, new SyncRateScoringOptions());
            var year = new PeriodQuery(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31));

            return await MeasureAndCompareAsync(
                clock => new ScorecardQuery(directory, ledger, new ScorecardScoringOptions(), new SyncRateScoringOptions(), clock), syncRateQuery,
                year, runs, naiveRuns, () => ReadEntriesAsync(ledgerTable), agencies, () => ProfileAsync(directory, ledger, rollupTable, year, Math.Min(runs, 10)));
        }
        finally
        {
            await azurite.DisposeAsync();
        }
    }

    /// <summary>
    /// What the benchmark does on either store once the province is loaded: times the scorecard and sync-rate queries
    /// and the naive scan (reading every entry, then judging each), prints them, and checks every indicator's numerator
    /// and denominator against the scan — for the finished year, a period that cuts a month, and the year as it ran
    /// (judged inside December). The last two judge the entries the timed scan read, without reading them again.
    /// </summary>
    /// <returns>0 when the figures agree, 1 otherwise.</returns>
    internal static async Task<int> MeasureAndCompareAsync(Func<TimeProvider, ScorecardQuery> scorecardQueryAt, SyncRateQuery syncRateQuery,
        PeriodQuery year, int runs, int naiveRuns, Func<Task<List<LedgerEntry>>> readEntries, List<Agency> agencies, Func<Task>? profile = null)
    {
        var today = VnTime.Day(DateTimeOffset.UtcNow);
        var scorecardQuery = scorecardQueryAt(TimeProvider.System);
        ScorecardReport? report = null;
        var ours = await MeasureAsync(runs, async () => report = (await scorecardQuery.HandleAsync(year, null, CancellationToken.None)).Value);
        Console.WriteLine($"Scorecard query: median {Median(ours):0.0} ms, p95 {P95(ours):0.0} ms over {runs} runs");
        if (profile is not null) await profile();
        var syncRate = await MeasureAsync(runs, () => syncRateQuery.HandleAsync(year, null, CancellationToken.None));
        Console.WriteLine($"Sync-rate query: median {Median(syncRate):0.0} ms, p95 {P95(syncRate):0.0} ms over {runs} runs");

        List<LedgerEntry> entries = [];
        Scorecard? naive = null;
        var scan = await MeasureAsync(naiveRuns, async () => naive = NaiveScorecard(entries = await readEntries(), agencies, year, today), warmUp: false);
        Console.WriteLine($"Naive scan:      median {Median(scan):0.0} ms, p95 {P95(scan):0.0} ms over {naiveRuns} runs");
        Console.WriteLine($"Speed-up (median): {Median(scan) / Median(ours):0}x; goal ≥ 100x and p95 ≤ 100 ms: {(Median(scan) / Median(ours) >= 100 && P95(ours) <= 100 ? "met" : "NOT met")}");

        var agree = Agree(report!, naive!);
        foreach (var indicator in report!.Indicators)
            Console.WriteLine($"  {indicator.Id}: source {indicator.Source?.Numerator:N0}/{indicator.Source?.Denominator:N0}, portal {indicator.Portal?.Numerator:N0}/{indicator.Portal?.Denominator:N0}, lost {Points(indicator.PointsLostToSync):0.000}");
        Console.WriteLine(agree ? "Figures agree." : "FIGURES DISAGREE with the scan");

        // A period that cuts a month cannot use the roll-ups' month-keyed names: Azure reads their days columns for the
        // whole months and day rows for the cut ones, the embedded store every day row.
        var cutRuns = Math.Min(runs, 5);
        var cutAgree = await MeasureOtherAsync(scorecardQuery, new PeriodQuery(new DateOnly(2025, 3, 15), new DateOnly(2025, 12, 31)), today,
            "cuts a month", cutRuns, entries, agencies);
        // The year while it ran, judged on 15 December: open dossiers due in December must be judged by day, so the
        // roll-ups' due months give way to the due days kept beside them.
        var december15 = new DateOnly(2025, 12, 15);
        var runningAgree = await MeasureOtherAsync(scorecardQueryAt(new FixedClock(VnTime.StartOfDay(december15).AddHours(10))), year, december15,
            "running, judged on 15 Dec", Math.Min(runs, 10), entries, agencies);
        return agree && cutAgree && runningAgree ? 0 : 1;
    }

    /// <summary>Rounded as printed, with a negative zero (a rounding residue of nothing lost) shown as 0.</summary>
    private static double? Points(double? points) => points is { } p ? Math.Round(p, 3) + 0.0 : null;

    private static async Task<bool> MeasureOtherAsync(ScorecardQuery query, PeriodQuery period, DateOnly today, string what, int runs,
        List<LedgerEntry> entries, List<Agency> agencies)
    {
        ScorecardReport? report = null;
        var times = await MeasureAsync(runs, async () => report = (await query.HandleAsync(period, null, CancellationToken.None)).Value);
        var agree = Agree(report!, NaiveScorecard(entries, agencies, period, today));
        Console.WriteLine($"Scorecard query, {period.From:d MMM}–{period.To:d MMM} ({what}): median {Median(times):0.0} ms, p95 {P95(times):0.0} ms over {runs} runs; "
            + (agree ? "figures agree with the scan." : "FIGURES DISAGREE with the scan"));
        return agree;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }

    private static bool Agree(ScorecardReport report, Scorecard naive) =>
        report.Indicators.Zip(naive.Indicators).All(p =>
            p.First.Source?.Numerator == p.Second.Source?.Numerator && p.First.Source?.Denominator == p.Second.Source?.Denominator
            && p.First.Portal?.Numerator == p.Second.Portal?.Numerator && p.First.Portal?.Denominator == p.Second.Portal?.Denominator);

    /// <summary>
    /// Where a scorecard query's time goes, each stage measured on its own: the roll-up table's answer as raw entities
    /// (Azurite and the storage client), the counters parsed and summed per agency (the port), and the calculator alone.
    /// </summary>
    private static async Task ProfileAsync(AgencyDirectory directory, TableSyncLedger ledger, TableClient rollups, PeriodQuery year, int runs)
    {
        var tree = await directory.GetAsync(CancellationToken.None);
        var subtree = tree.Subtree(tree.Root!.MaDonVi);
        var chars = 0L;
        var raw = await MeasureAsync(runs, async () =>
        {
            chars = 0;
            // The columns a finished year's query selects: the months' counters, not the days columns kept for cut
            // periods and for periods judged inside a month.
            string[] select = ["MaDonVi", .. Enumerable.Range(1, 12).SelectMany(m => ScoreKeys.Sets.Select(s => ScoreKeys.RollupColumn(s.Axis, s.Side, m)))];
            await foreach (var row in rollups.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ScoreKeys.RollupPartition(2025)}"), select: select))
                foreach (var (_, value) in row) chars += value is string text ? text.Length : 0;
        });
        IReadOnlyDictionary<string, ScoreTotals>? totals = null;
        var period = ScorePeriod.Of(year.From, year.To, VnTime.Day(DateTimeOffset.UtcNow));
        var port = await MeasureAsync(runs, async () => totals = await ledger.GetScoreTotalsAsync(subtree, period, CancellationToken.None));
        var inputs = subtree.Select(code => new AgencyScoreInput(code, new SyncCounts(1000, 1000, 990), totals!.GetValueOrDefault(code) ?? new ScoreTotals())).ToList();
        var children = tree.ChildrenOf(tree.Root.MaDonVi).ToDictionary(c => c.MaDonVi, c => tree.Subtree(c.MaDonVi), StringComparer.Ordinal);
        var calculator = new ScorecardCalculator();
        var compute = await MeasureAsync(runs, () => Task.FromResult(calculator.Compute(period, inputs, children)));
        Console.WriteLine($"  profile (median): roll-up rows raw {Median(raw):0.0} ms ({chars / 1024:N0} KiB of counters); counters through the port {Median(port):0.0} ms; calculator {Median(compute):0.0} ms");
    }

    internal static DossierFacts Facts(Random random, DateOnly received)
    {
        var ended = random.NextDouble() < 0.8;
        var status = ended ? (random.NextDouble() < 0.5 ? TrangThaiHoSo.DaTraKetQua : TrangThaiHoSo.DaXuLyXong) : TrangThaiHoSo.DangXuLy;
        var due = received.AddDays(random.Next(3, 30));
        var fee = random.NextDouble() < 0.4;
        return new DossierFacts(received, status, random.NextDouble() < 0.6 ? 2 : 1, fee, fee && random.NextDouble() < 0.7,
            random.NextDouble() < 0.85, random.NextDouble() < 0.5, random.NextDouble() < 0.3,
            ended ? OnTimeJudgement.Ended(received.AddDays(random.Next(1, 35)), random.NextDouble() < 0.9) : OnTimeJudgement.Open(due));
    }

    private static async Task LoadAsync(TableClient table, List<Agency> agencies, int dossiers)
    {
        var random = new Random(2025);
        var codes = agencies.Skip(1).Select(a => a.MaDonVi).ToArray();
        var perAgency = codes.ToDictionary(c => c, _ => new List<LedgerEntry>());
        for (var n = 0; n < dossiers; n++)
        {
            var agency = codes[random.NextDouble() < 0.5 ? random.Next(0, Math.Min(20, codes.Length)) : random.Next(0, codes.Length)];
            var day = new DateOnly(2025, 1, 1).AddDays(random.Next(0, 365));
            var source = Facts(random, day);
            var held = random.NextDouble() < 0.985;
            // Some copies on the portal are stale: an older status, so an on-time dossier can look open or late there.
            var portal = !held ? null : random.NextDouble() < 0.05 ? source with { Status = TrangThaiHoSo.DangXuLy, HasResultLink = false, OnTime = OnTimeJudgement.Open(day.AddDays(5)) } : source;
            perAgency[agency].Add(new LedgerEntry
            {
                MaHoSo = $"{agency}-{day:yyMMdd}-{n:0000000}", MaDonVi = agency, NgayTiepNhan = VnTime.StartOfDay(day).AddHours(9),
                TrangThaiHoSo = (int?)source.Status, PhienBan = 1, State = held ? SyncState.Synced : SyncState.Pending, PortalHolds = held,
                SourceFacts = source, PortalFacts = portal, UpdatedAt = DateTimeOffset.UtcNow,
            });
        }

        await Parallel.ForEachAsync(perAgency, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (pair, ct) =>
        {
            var (agency, entries) = pair;
            var entities = entries.Select(e => LedgerEntryMapping.ToEntity(agency, e)).ToList();
            foreach (var day in entries.GroupBy(e => e.ReceivedDay!.Value))
                entities.Add(new TableEntity(agency, TableKeys.Day(day.Key)) { ["Seen"] = (long)day.Count(), ["Synced"] = (long)day.Count(e => e.PortalHolds), ["Reported"] = (long)day.Count() });
            foreach (var month in entries.GroupBy(e => ScoreRows.MonthOf(e.ReceivedDay!.Value)))
                entities.Add(new TableEntity(agency, TableKeys.Month(month.Key)) { ["Received"] = (long)month.Count(), ["Synced"] = (long)month.Count(e => e.PortalHolds), ["Version"] = 1L });
            var contributions = ScoreContributions.Sum(entries.Select(e => e.Contributions()));
            entities.AddRange(ScoreEntities(agency, contributions, ScoreKeys.Day, versioned: false));
            var months = ScoreEntities(agency, contributions.ByMonth(), ScoreKeys.Month, versioned: true).ToList();
            // The months' counters kept with their days, for periods that cut a month or are judged inside one (as
            // ScoreCounterRows writes them).
            var days = contributions.DaysByMonth();
            foreach (var month in months)
                foreach (var (axis, side) in ScoreKeys.Sets)
                    if (days.Rows.TryGetValue(new ScoreRowKey(axis, side, ScoreKeys.ParseMonth(month.RowKey)), out var counters))
                        ScoreKeys.Write(month, ScoreKeys.DaysColumn(axis, side), counters);
            entities.AddRange(months);
            RollupBytes.Count(contributions);
            foreach (var chunk in entities.Chunk(100))
                await table.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), ct);
        });
    }

    /// <summary>
    /// The month roll-ups' counter bytes by name prefix (<c>r:</c>, <c>rok:</c>, <c>due:</c>, the fixed names), as
    /// stored now (<see cref="ScoreContributions.ByMonth"/>: Ended-axis receptions and due days by month) and as stored before
    /// (every name as its day row has it), counted as the JSON a counter set is written as.
    /// </summary>
    internal static class RollupBytes
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(bool Before, string Prefix), long> Bytes = new();

        public static void Count(ScoreContributions days)
        {
            Add(false, days.ByMonth().Rows.Values);
            Add(true, days.Rows.GroupBy(r => r.Key with { Day = ScoreRows.MonthOf(r.Key.Day) }).Select(g => CounterSet.Sum(g.Select(r => r.Value))));
        }

        private static void Add(bool before, IEnumerable<CounterSet> sets)
        {
            foreach (var set in sets)
            {
                Bytes.AddOrUpdate((before, "{}"), 2, (_, b) => b + 2);
                foreach (var (name, count) in set)
                {
                    var colon = name.IndexOf(':', StringComparison.Ordinal);
                    var prefix = colon < 0 || name.EndsWith(":none", StringComparison.Ordinal) ? "fixed" : name[..(colon + 1)];
                    // "name":count, — quotes, colon and separator around the name and the digits.
                    long bytes = name.Length + count.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 4;
                    Bytes.AddOrUpdate((before, prefix), bytes, (_, b) => b + bytes);
                }
            }
        }

        public static void Print()
        {
            foreach (var before in new[] { true, false })
            {
                var parts = Bytes.Where(b => b.Key.Before == before).OrderByDescending(b => b.Value).ToList();
                var total = parts.Sum(p => p.Value);
                Console.WriteLine($"  roll-up counters {(before ? "day-keyed (before)" : "as stored now    ")}: {total / 1024:N0} KiB = "
                    + string.Join(", ", parts.Select(p => $"{p.Key.Prefix} {p.Value / 1024:N0} KiB ({100.0 * p.Value / total:0}%)")));
            }
        }
    }

    private static IEnumerable<TableEntity> ScoreEntities(string partition, ScoreContributions rows, Func<DateOnly, string> key, bool versioned)
    {
        foreach (var day in rows.Rows.Keys.Select(k => k.Day).Distinct())
        {
            var entity = new TableEntity(partition, key(day));
            foreach (var (axis, side) in ScoreKeys.Sets)
                if (rows.Rows.TryGetValue(new ScoreRowKey(axis, side, day), out var counters)) ScoreKeys.Write(entity, ScoreKeys.Column(axis, side), counters);
            if (versioned) entity["Version"] = 1L;
            yield return entity;
        }
    }

    /// <summary>What one would read without the counters: every entry of the ledger.</summary>
    private static async Task<List<LedgerEntry>> ReadEntriesAsync(TableClient table)
    {
        var entries = new List<LedgerEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.RowKey.CompareTo("h|") >= 0 && r.RowKey.CompareTo("h}") < 0))
            entries.Add(LedgerEntryMapping.ToEntry(row));
        return entries;
    }

    /// <summary>The scorecard the long way, from every entry's own contributions: what the stored counters must agree with.</summary>
    internal static Scorecard NaiveScorecard(IEnumerable<LedgerEntry> entries, List<Agency> agencies, PeriodQuery year, DateOnly today)
    {
        var rows = new Dictionary<string, List<ScoreRow>>(StringComparer.Ordinal);
        var sync = new Dictionary<string, SyncCounts>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Every entry's day rows: one received before the period may have ended in it (2.1); the rows are cut to the
            // period's days below.
            if (!rows.TryGetValue(entry.MaDonVi, out var list)) rows[entry.MaDonVi] = list = [];
            list.AddRange(entry.Contributions().Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value)));
            if (entry.ReceivedDay is not { } day || day < year.From || day > year.To) continue;
            sync[entry.MaDonVi] = (sync.GetValueOrDefault(entry.MaDonVi) ?? SyncCounts.Zero).Plus(new SyncCounts(1, 1, entry.CountsAsSynced ? 1 : 0));
        }
        var inputs = agencies.Select(a => new AgencyScoreInput(a.MaDonVi, sync.GetValueOrDefault(a.MaDonVi) ?? SyncCounts.Zero,
            ScoreRows.SumPeriod(rows.GetValueOrDefault(a.MaDonVi) ?? [], year.From, year.To))).ToList();
        var children = agencies.Skip(1).ToDictionary(a => a.MaDonVi, a => (IReadOnlySet<string>)new HashSet<string> { a.MaDonVi });
        return new ScorecardCalculator().Compute(ScorePeriod.Of(year.From, year.To, today), inputs, children);
    }
}
