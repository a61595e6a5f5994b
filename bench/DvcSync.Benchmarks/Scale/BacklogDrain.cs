using System.Text.Json.Nodes;
using DvcSync.Application.Repair;
using DvcSync.Core.Ports;

namespace DvcSync.Benchmarks.Scale;

/// <summary>
/// The measured side of the backlog benchmark: drains the repair queue as the standalone host's poller does — up to 16
/// messages received at a time, eight repairs in parallel, a message deleted once its repair returned — until the
/// queue stays empty, and counts each dossier's outcome.
/// </summary>
internal static class BacklogDrain
{
    private const int Parallelism = 8;

    public static async Task<JsonObject> RunAsync(Pipeline pipeline)
    {
        var queue = pipeline.Get<IRepairQueueReceiver>();
        var handler = pipeline.Get<IRepairHandler>();
        var outcomes = new Dictionary<RepairOutcome, long>();
        long messages = 0, failures = 0;
        var reasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var emptyPolls = 0;
        // Empty three times in a row, 200 ms apart: nothing in flight either (a retry would be a new, delayed message).
        while (emptyPolls < 3)
        {
            var received = await queue.ReceiveAsync(Parallelism * 2, TimeSpan.FromMinutes(5), CancellationToken.None);
            if (received.Count == 0)
            {
                emptyPolls++;
                await Task.Delay(200);
                continue;
            }
            emptyPolls = 0;
            await Parallel.ForEachAsync(received, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (message, ct) =>
            {
                try
                {
                    var done = await handler.HandleMessageAsync(message.Body, ct);
                    lock (outcomes)
                        foreach (var outcome in done) outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                    await queue.DeleteAsync(message, CancellationToken.None);
                }
                catch (Exception e)
                {
                    // Left to show again after its visibility time-out, as on the host; why it failed is part of the figures.
                    Interlocked.Increment(ref failures);
                    lock (reasons) reasons[e.GetType().Name] = reasons.GetValueOrDefault(e.GetType().Name) + 1;
                }
                Interlocked.Increment(ref messages);
            });
        }
        var result = new JsonObject { ["messages"] = messages, ["failedMessages"] = failures };
        if (reasons.Count > 0) result["failedBecause"] = new JsonObject(reasons.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value)));
        foreach (var (outcome, count) in outcomes) result[outcome.ToString()] = count;
        return result;
    }
}
