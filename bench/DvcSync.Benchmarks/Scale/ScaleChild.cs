using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Comparison;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// The measured side: a process that builds the pipeline, makes one handler call and reports its time and memory.
/// Nothing else runs in it, so its peak resident memory is the pipeline's (and the runtime's).
/// </summary>
internal static class ScaleChild
{
    public static async Task<int> RunAsync(string[] args)
    {
        var spec = JsonSerializer.Deserialize<ChildSpec>(await File.ReadAllTextAsync(args[0]), ChildRun.Json)!;
        var resultPath = args[1];
        ChildResult result;
        try
        {
            result = await MeasureAsync(spec);
        }
        catch (Exception e)
        {
            result = new ChildResult { Kind = spec.Kind, Error = e.ToString() };
        }
        await File.WriteAllTextAsync(resultPath, JsonSerializer.Serialize(result, ChildRun.Json));
        return result.Error is null ? 0 : 1;
    }

    private static async Task<ChildResult> MeasureAsync(ChildSpec spec)
    {
        using var timeline = new HttpTimeline(spec.Ports);
        // The host builds and runs the whole composition itself; the other kinds call one handler of a built one. The
        // embedded store's calls are not HTTP requests: time them where the ledger and the queue are called.
        await using var pipeline = spec.Kind == "host" ? null : await Pipeline.StartAsync(spec.Settings,
            spec.Settings.ContainsKey("Storage:SqlitePath") ? StoreTimeline.Wrap : null);
        GC.Collect();
        var rssBefore = ProcStatus.RssMb();
        var heapBefore = GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes / 1048576.0;
        var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        var heap = new ManagedHeapSampler(TimeSpan.FromMilliseconds(20));
        using var gate = spec.Kind == "audit" ? new GateSampler(pipeline!.Get<DvcSync.Infrastructure.NationalPortal.PortalRateGate>()) : null;
        var clock = Stopwatch.StartNew();
        var outcome = spec.Kind switch
        {
            "reconcile" => await ReconcileAsync(pipeline!),
            "naive" => await NaiveSyncer.RunAsync(pipeline!, spec.NaiveFrom, spec.NaiveTo, spec.NaiveCount),
            "audit" => await AuditRun.RunAsync(pipeline!, spec.AuditFrom!.Value, spec.AuditTo!.Value),
            "drain" => await BacklogDrain.RunAsync(pipeline!),
            "host" => await HostRun.RunAsync(spec),
            _ => throw new ArgumentException("Unknown kind " + spec.Kind),
        };
        clock.Stop();
        heap.Dispose();
        if (gate is not null)
        {
            var (idleShare, meanWaiting, roundTripMs) = gate.Stop();
            outcome["gateIdleShare"] = idleShare;
            outcome["gateMeanWaiting"] = meanWaiting;
            outcome["gateTypicalRoundTripMs"] = roundTripMs;
        }
        return new ChildResult
        {
            Kind = spec.Kind,
            WallSeconds = clock.Elapsed.TotalSeconds,
            RssBeforeMb = rssBefore,
            PeakRssMb = ProcStatus.PeakRssMb(),
            HeapBeforeMb = heapBefore,
            PeakHeapAfterGcMb = heap.PeakAfterGcMb,
            PeakHeapAllocatedMb = heap.PeakAllocatedMb,
            Gen0 = GC.CollectionCount(0) - gen0,
            Gen1 = GC.CollectionCount(1) - gen1,
            Gen2 = GC.CollectionCount(2) - gen2,
            Outcome = outcome,
            Http = [.. timeline.Summary()],
        };
    }

    private static async Task<JsonObject> ReconcileAsync(Pipeline pipeline)
    {
        var run = await pipeline.Get<IReconcileHandler>().RunAsync(CancellationToken.None)
                  ?? throw new InvalidOperationException("The reconciliation did not run: its lease was held");
        if (run.Error is not null) throw new InvalidOperationException("The reconciliation failed: " + run.Error);
        return JsonSerializer.SerializeToNode(run, ChildRun.Json)!.AsObject();
    }
}

/// <summary>
/// What one would write without thinking about the ceiling: read the dossiers page by page, and for each one in turn
/// look it up on the portal and write its verdict to the ledger, one after the other, with the same client and ledger
/// the pipeline uses.
/// </summary>
internal static class NaiveSyncer
{
    public static async Task<JsonObject> RunAsync(Pipeline pipeline, DateTimeOffset from, DateTimeOffset to, int count)
    {
        var provincial = pipeline.Get<IProvincialSystem>();
        var portal = pipeline.Get<INationalPortal>();
        var ledger = pipeline.Get<ISyncLedger>();
        var time = pipeline.Get<TimeProvider>();
        long done = 0, mismatches = 0, failed = 0;
        string? cursor = null;
        do
        {
            var page = await provincial.GetChangedAsync(from, to, cursor, 500, CancellationToken.None);
            foreach (var source in page.Items)
            {
                if (done == count) break;
                var lookup = await portal.LookUpAsync(source.MaHoSo, CancellationToken.None);
                var now = time.GetUtcNow();
                var entry = LedgerEntry.For(source, now);
                LedgerEntry next;
                if (lookup.Succeeded)
                {
                    var verdict = PortalCopyComparer.Compare(source.Dossier, lookup.Dossier?.Dossier);
                    next = entry.Observed(verdict, now);
                    if (verdict.NeedsRepair) mismatches++;
                }
                else
                {
                    next = entry with { LastError = "look-up failed: " + lookup.Message, NextAttemptAt = now };
                    failed++;
                }
                await ledger.SaveAsync(null, next, CancellationToken.None);
                done++;
            }
            cursor = page.NextCursor;
        } while (cursor is not null && done < count);
        return new JsonObject { ["dossiers"] = done, ["mismatches"] = mismatches, ["failedLookups"] = failed };
    }
}
