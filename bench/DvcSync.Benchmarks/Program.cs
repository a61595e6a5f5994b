using DvcSync.Benchmarks;
using DvcSync.Benchmarks.Scale;

// indicator (issue 4), scorecard (issue 12) (indicator also also when the first argument is an option, as its documented command has it) or scale (issue 5).
return args switch
{
    [] => await IndicatorBenchmark.RunAsync(args),
    ["indicator", "--store", "sqlite", .. var rest] => await EmbeddedIndicatorBenchmark.RunAsync(rest),
    ["indicator", .. var rest] => await IndicatorBenchmark.RunAsync(rest),
    ["scorecard", "--store", "sqlite", .. var rest] => await EmbeddedScorecardBenchmark.RunAsync(rest),
    ["scorecard", .. var rest] => await ScorecardBenchmark.RunAsync(rest),
    ["scale", .. var rest] => await ScaleBenchmark.RunAsync(rest),
    ["scale-child", .. var rest] => await ScaleChild.RunAsync(rest),
    [var first, ..] when first.StartsWith("--", StringComparison.Ordinal) => await IndicatorBenchmark.RunAsync(args),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("Usage: DvcSync.Benchmarks [indicator [--store sqlite] [--dossiers n ...] | scorecard [--store sqlite] [--dossiers n ...] | scale [check|audit|steady|memory|all] [options]]");
    return 2;
}
