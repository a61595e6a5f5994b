using System.Threading.Channels;

namespace DvcSync.Application.Reconciliation;

/// <summary>
/// Groups what a channel delivers into batches of one agency each, for writes of one entity-group transaction: a batch
/// goes when it is full or its oldest item has waited the linger, and whatever waits goes when the channel completes.
/// Batches that are due together are written together.
/// </summary>
internal static class AgencyBatches
{
    /// <param name="readyAt">When an item became ready, in <see cref="Environment.TickCount64"/> milliseconds.</param>
    public static async Task WriteAsync<T>(ChannelReader<T> reader, Func<T, string> agencyOf, Func<T, long> readyAt, int size, TimeSpan linger,
        Func<List<T>, Task> write)
    {
        var waiting = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        var lingerMilliseconds = (long)linger.TotalMilliseconds;
        Task<bool>? more = null;
        var full = new List<List<T>>();
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                var agency = agencyOf(item);
                if (!waiting.TryGetValue(agency, out var batch))
                    waiting[agency] = batch = [];
                batch.Add(item);
                if (batch.Count < size) continue;
                full.Add(batch);
                waiting.Remove(agency);
            }

            var now = Environment.TickCount64;
            var lingered = waiting.Where(w => now - readyAt(w.Value[0]) >= lingerMilliseconds).Select(w => w.Key).ToList();
            if (full.Count > 0 || lingered.Count > 0)
            {
                var batches = full.Concat(lingered.Select(agency => waiting[agency])).ToList();
                full.Clear();
                foreach (var agency in lingered) waiting.Remove(agency);
                await Task.WhenAll(batches.Select(write));
                continue;
            }

            more ??= reader.WaitToReadAsync().AsTask();
            if (waiting.Count == 0)
            {
                if (!await more) break;
                more = null;
                continue;
            }
            var wait = waiting.Values.Min(b => readyAt(b[0])) + lingerMilliseconds - now;
            if (await Task.WhenAny(more, Task.Delay(TimeSpan.FromMilliseconds(Math.Max(wait, 1)))) == more)
            {
                if (!await more)
                {
                    await Task.WhenAll(waiting.Values.Select(write));
                    break;
                }
                more = null;
            }
        }
    }
}
