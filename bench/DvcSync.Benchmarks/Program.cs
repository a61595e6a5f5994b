return await DvcSync.Benchmarks.IndicatorBenchmark.RunAsync(args);
