using DvcSync.Application.Repair;
using DvcSync.Core.Ports;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>
/// The repair queue's semantics, sending and receiving, which every store must keep: what the Functions queue trigger
/// and the standalone poller rely on.
/// </summary>
public abstract class QueueContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static RepairRequest Request(int n) => new($"A-{n:000}", "A", 1, 1, RepairReason.Missing);

    /// <summary>Receives until <paramref name="count"/> messages came, or fails the test at the deadline.</summary>
    private static async Task<List<ReceivedMessage>> ReceiveAsync(IQueueReceiver queue, int count, TimeSpan visibility)
    {
        var received = new List<ReceivedMessage>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{received.Count} of {count} messages received from {queue.Name} by the deadline");
            received.AddRange(await queue.ReceiveAsync(count - received.Count, visibility, CancellationToken.None));
            if (received.Count < count) await Task.Delay(100);
        }
        return received;
    }

    [Fact]
    public async Task A_received_message_is_hidden_until_deleted_and_carries_what_was_sent()
    {
        await using var store = await OpenAsync();
        var id = await store.Queue.EnqueueAsync(Request(1), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1, await store.Queue.GetApproximateDepthAsync(CancellationToken.None));

        var message = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromMinutes(5)));
        Assert.Equal(id, message.Id);
        Assert.Equal(1, message.DequeueCount);
        Assert.Equal(Request(1), RepairMessageCodec.Decode(message.Body));
        Assert.Empty(await store.Receiver.ReceiveAsync(10, TimeSpan.FromMinutes(5), CancellationToken.None));

        Assert.True(await store.Receiver.DeleteAsync(message, CancellationToken.None));
        Assert.Equal(0, await store.Queue.GetApproximateDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_batch_travels_as_one_message_carrying_every_request_in_order()
    {
        await using var store = await OpenAsync();
        IReadOnlyList<RepairRequest> batch = [Request(1), Request(2) with { Force = true }, Request(3) with { Reason = RepairReason.Stale }];
        var id = await store.Queue.EnqueueBatchAsync(batch, TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(1, await store.Queue.GetApproximateDepthAsync(CancellationToken.None));

        var message = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromMinutes(5)));
        Assert.Equal(id, message.Id);
        Assert.Equal(batch, RepairMessageCodec.DecodeBatch(message.Body));
    }

    [Fact]
    public async Task A_batch_that_is_empty_or_larger_than_the_portal_takes_is_refused_and_nothing_is_sent()
    {
        await using var store = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.Queue.EnqueueBatchAsync([], TimeSpan.Zero, CancellationToken.None));
        var tooMany = Enumerable.Range(1, PortalServices.MaxDossiersPerBatch + 1).Select(Request).ToList();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.Queue.EnqueueBatchAsync(tooMany, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(0, await store.Queue.GetApproximateDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_delayed_message_shows_only_after_its_delay()
    {
        await using var store = await OpenAsync();
        await store.Queue.EnqueueAsync(Request(1), TimeSpan.FromMinutes(10), CancellationToken.None);
        Assert.Empty(await store.Receiver.ReceiveAsync(10, TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.Equal(1, await store.Queue.GetApproximateDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_message_whose_visibility_ran_out_comes_back_with_its_dequeue_count_raised_and_the_old_receipt_is_void()
    {
        await using var store = await OpenAsync();
        await store.Queue.EnqueueAsync(Request(1), TimeSpan.Zero, CancellationToken.None);
        var first = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromSeconds(1)));

        var second = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromMinutes(5)));
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(2, second.DequeueCount);

        Assert.False(await store.Receiver.DeleteAsync(first, CancellationToken.None));
        Assert.Null(await store.Receiver.RenewAsync(first, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.False(await store.Receiver.ReleaseAsync(first, TimeSpan.Zero, CancellationToken.None));
        Assert.True(await store.Receiver.DeleteAsync(second, CancellationToken.None));
    }

    [Fact]
    public async Task A_renewal_keeps_the_message_hidden_and_only_the_new_receipt_works()
    {
        await using var store = await OpenAsync();
        await store.Queue.EnqueueAsync(Request(1), TimeSpan.Zero, CancellationToken.None);
        var taken = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromSeconds(2)));
        var renewed = await store.Receiver.RenewAsync(taken, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.NotNull(renewed);
        Assert.NotEqual(taken.Receipt, renewed.Receipt);

        // Well past the first time-out: still hidden.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(await store.Receiver.ReceiveAsync(10, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.False(await store.Receiver.DeleteAsync(taken, CancellationToken.None));
        Assert.True(await store.Receiver.DeleteAsync(renewed, CancellationToken.None));
    }

    [Fact]
    public async Task A_released_message_comes_back_after_its_delay()
    {
        await using var store = await OpenAsync();
        await store.Queue.EnqueueAsync(Request(1), TimeSpan.Zero, CancellationToken.None);
        var taken = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromMinutes(5)));
        Assert.True(await store.Receiver.ReleaseAsync(taken, TimeSpan.Zero, CancellationToken.None));

        var again = Assert.Single(await ReceiveAsync(store.Receiver, 1, TimeSpan.FromMinutes(5)));
        Assert.Equal((taken.Id, 2L), (again.Id, again.DequeueCount));
    }

    [Fact]
    public async Task A_dead_lettered_message_moves_to_the_poison_queue_with_its_body()
    {
        await using var store = await OpenAsync();
        await store.Queue.EnqueueAsync(Request(1), TimeSpan.Zero, CancellationToken.None);
        await store.Queue.EnqueueAsync(Request(2), TimeSpan.Zero, CancellationToken.None);
        var taken = await ReceiveAsync(store.Receiver, 2, TimeSpan.FromMinutes(5));
        var doomed = taken.Single(m => RepairMessageCodec.Decode(m.Body).MaHoSo == "A-001");

        Assert.True(await store.Receiver.DeadLetterAsync(doomed, CancellationToken.None));
        Assert.Equal(1, await store.Queue.GetApproximateDepthAsync(CancellationToken.None));
        Assert.Equal(1, await store.Queue.GetPoisonDepthAsync(CancellationToken.None));

        var poisoned = Assert.Single(await ReceiveAsync(store.Poison, 1, TimeSpan.FromMinutes(1)));
        Assert.Equal(Request(1), RepairMessageCodec.Decode(poisoned.Body));
        Assert.True(await store.Poison.DeleteAsync(poisoned, CancellationToken.None));
        Assert.Equal(0, await store.Queue.GetPoisonDepthAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Competing_receivers_never_hold_the_same_message()
    {
        await using var store = await OpenAsync();
        for (var n = 0; n < 40; n++) await store.Queue.EnqueueAsync(Request(n), TimeSpan.Zero, CancellationToken.None);

        var batches = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.Receiver.ReceiveAsync(8, TimeSpan.FromMinutes(5), CancellationToken.None)));
        var ids = batches.SelectMany(b => b).Select(m => m.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.InRange(ids.Count, 1, 40);
    }
}
