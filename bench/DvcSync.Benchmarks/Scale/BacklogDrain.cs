using System.Text.Json.Nodes;
using DvcSync.Application.Repair;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using DvcSync.Standalone.Hosting;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// The measured side of the backlog benchmark: drains the repair queue as the standalone host's poller does — up to 16
/// messages received at a time, eight repairs in parallel, a message deleted once its repair returned, one whose repair
/// threw put back for <c>Sync:RepairRedeliverySeconds</c> and moved to the poison queue at its fifth failure — until the
/// queue stays empty and no message it failed is still to come back, and counts each dossier's outcome. The time to
/// drain therefore includes the wait for a failed message's return; one that never succeeds is reported as not drained.
/// </summary>
internal static class BacklogDrain
{
    private const int Parallelism = 8;

    /// <summary>How long the drain waits for failed messages to come back after the queue otherwise looks empty.</summary>
    private static readonly TimeSpan LongestWaitForReturns = TimeSpan.FromMinutes(15);

    public static async Task<JsonObject> RunAsync(Pipeline pipeline)
    {
        var queue = pipeline.Get<IRepairQueueReceiver>();
        var handler = pipeline.Get<IRepairHandler>();
        var redelivery = pipeline.Get<RepairPollerOptions>().RedeliveryDelay;
        var outcomes = new Dictionary<RepairOutcome, long>();
        long messages = 0, failures = 0, deadLettered = 0;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        // The first exception of each type, as the host would log it: its message (a MaHoSo or an agency, never a
        // dossier's personal fields; cleaned of their shapes anyway) and where it was thrown, so the cause shows.
        var firstOf = new SortedDictionary<string, string>(StringComparer.Ordinal);
        // Messages that failed and are to come back: the queue is not drained while any is out.
        var toComeBack = new HashSet<string>(StringComparer.Ordinal);
        var emptyPolls = 0;
        DateTimeOffset? emptySince = null;
        // Empty three times in a row, 200 ms apart: nothing in flight either (a retry would be a new, delayed message) —
        // and no failed message still hidden until its redelivery.
        while (true)
        {
            var received = await queue.ReceiveAsync(Parallelism * 2, TimeSpan.FromMinutes(5), CancellationToken.None);
            if (received.Count == 0)
            {
                emptyPolls++;
                emptySince ??= DateTimeOffset.UtcNow;
                int outstanding;
                lock (toComeBack) outstanding = toComeBack.Count;
                if (emptyPolls >= 3 && (outstanding == 0 || DateTimeOffset.UtcNow - emptySince > redelivery + LongestWaitForReturns)) break;
                await Task.Delay(200);
                continue;
            }
            (emptyPolls, emptySince) = (0, null);
            await Parallel.ForEachAsync(received, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (message, ct) =>
            {
                try
                {
                    var done = await handler.HandleMessageAsync(message.Body, ct);
                    lock (outcomes)
                        foreach (var outcome in done) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                    lock (toComeBack) toComeBack.Remove(message.Id);
                    await queue.DeleteAsync(message, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // As on the host: put back to show again after the redelivery delay, or to the poison queue at the fifth failure.
                    Interlocked.Increment(ref failures);
                    lock (reasons)
                    {
                        reasons[e.GetType().Name] = reasons.GetValueOrDefault(e.GetType().Name) + 1;
                        firstOf.TryAdd(e.GetType().Name, Describe(e));
                    }
                    if (message.DequeueCount >= RepairQueuePoller.MaxDequeueCount)
                    {
                        Interlocked.Increment(ref deadLettered);
                        lock (toComeBack) toComeBack.Remove(message.Id);
                        await queue.DeadLetterAsync(message, CancellationToken.None);
                    }
                    else
                    {
                        lock (toComeBack) toComeBack.Add(message.Id);
                        await queue.ReleaseAsync(message, redelivery, CancellationToken.None);
                    }
                }
                Interlocked.Increment(ref messages);
            });
        }
        var result = new JsonObject
        {
            ["messages"] = messages,
            ["failedMessages"] = failures,
            ["notDrained"] = toComeBack.Count + deadLettered,
            ["redeliverySeconds"] = redelivery.TotalSeconds,
        };
        if (reasons.Count > 0) result["failedBecause"] = new JsonObject(reasons.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value)));
        if (firstOf.Count > 0) result["firstFailure"] = new JsonObject(firstOf.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value)));
        foreach (var (outcome, count) in outcomes) result[outcome.ToString()] = count;
        return result;
    }

    /// <summary>The exception's message, shapes of personal data removed, and the frames of its stack that are the project's.</summary>
    private static string Describe(Exception e)
    {
        var frames = (e.StackTrace ?? "").Split('\n').Select(f => f.Trim()).Where(f => f.Contains("DvcSync.", StringComparison.Ordinal)).Take(6);
        return PersonalDataRedactor.ShapesOnly.Redact(e.Message) + " | " + string.Join(" | ", frames);
    }
}
