using DvcSync.Application.Repair;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Simulators.Seeding;
using DvcSync.Standalone.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.IntegrationTests.Reliability;

/// <summary>How repair messages are delivered, kept and let go, on Azurite with the standalone host's own poller.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RepairDeliveryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_repair_slower_than_the_visibility_time_out_is_handled_once_and_its_message_deleted()
    {
        var deliveries = new CountingRepairHandler.Counter();
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions { DossierCount = 30, Seed = 41 },
            new Dictionary<string, string?> { ["Sync:RepairVisibilityTimeoutSeconds"] = "2" },
            builder => CountingRepairHandler.Install(builder, deliveries));
        var dossier = env.Simulators.Truth.Of(DossierCategory.MissingFromPortal)[0];
        // Every portal call takes longer than the message stays hidden without renewal.
        env.Simulators.PortalFaults.Update(f => f with { AddedLatency = TimeSpan.FromMilliseconds(2500) });

        await env.Queue.EnqueueAsync(new RepairRequest(dossier.MaHoSo, dossier.MaDonVi, 0, 0, "test"), TimeSpan.Zero, CancellationToken.None);
        await WaitUntilAsync(() => Task.FromResult(deliveries.Value == 1), "the poller to take the message", TimeSpan.FromSeconds(30));

        // Another process polling the same queue (a second host): it must never see the message while the repair runs.
        var queue = env.Storage.Queue(env.QueueName);
        using var stopWatching = new CancellationTokenSource();
        var seenByAnother = Task.Run(async () =>
        {
            var seen = 0;
            while (!stopWatching.IsCancellationRequested)
            {
                seen += (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), CancellationToken.None)).Value.Length;
                await Task.Delay(200, CancellationToken.None);
            }
            return seen;
        });
        await WaitUntilAsync(async () => await env.Queue.GetApproximateDepthAsync(CancellationToken.None) == 0
                                         && (await env.Ledger.GetAsync(dossier.MaDonVi, dossier.MaHoSo, CancellationToken.None))?.State == SyncState.Synced,
            "the repair to finish and its message to be deleted", TimeSpan.FromSeconds(90));
        await stopWatching.CancelAsync();

        Assert.Equal(0, await seenByAnother);
        Assert.Equal(1, deliveries.Value);
        Assert.Equal(1, env.Simulators.Portal.Counters.Calls("DongBoHoSoMC"));
        Assert.Equal(PortalCopyState.Current, env.Simulators.ComparePortalCopy(dossier.MaHoSo));
        Assert.False(env.App.Services.GetServices<IHostedService>().OfType<RepairQueuePoller>().Single().ExecuteTask!.IsCompleted, "the poller still runs");
    }

    [Fact]
    public async Task A_repair_message_lives_as_long_as_the_repair_may_retry_and_no_longer()
    {
        await using var storage = await TestStorage.CreateAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Sync:GiveUpHours"] = "2",
            ["Sync:RetryMaxMinutes"] = "30",
        });

        await storage.Queue.EnqueueAsync(new RepairRequest("000.00.19.H19-250115-00001", "000.00.19.H19", 1, 0, "test"), TimeSpan.Zero, CancellationToken.None);

        var message = Assert.Single((await storage.Account.Queue(storage.QueueName).PeekMessagesAsync(1)).Value);
        Assert.Equal(TimeSpan.FromMinutes(150), message.ExpiresOn - message.InsertedOn);
        // A delayed message lives as long after it shows.
        var queue = (StorageQueueRepairQueue)storage.Queue;
        Assert.Equal(TimeSpan.FromMinutes(150) + TimeSpan.FromHours(6), queue.TimeToLive(TimeSpan.FromHours(6)));
    }

    [Fact]
    public async Task The_entry_of_a_repair_message_that_expired_is_queued_again_by_the_reconciliations_sweep()
    {
        await using var env = await SyncEnvironment.StartAsync(azurite, new SimulatorOptions { DossierCount = 5, Seed = 43 },
            new Dictionary<string, string?> { ["Sync:GiveUpHours"] = "0.001", ["Sync:RetryMaxMinutes"] = "0.01" });
        // Nothing takes messages off the queue: this one can only expire.
        await env.App.Services.GetServices<IHostedService>().OfType<RepairQueuePoller>().Single().StopAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var lost = await env.Ledger.SaveAsync(null, new LedgerEntry
        {
            MaHoSo = "000.00.19.H19-991231-00001",
            MaDonVi = "000.00.19.H19",
            PhienBan = 3,
            State = SyncState.Retrying,
            Attempts = 2,
            NextAttemptAt = now.AddHours(-1),
            UpdatedAt = now.AddHours(-1),
        }, CancellationToken.None);
        var queue = env.Storage.Queue(env.QueueName);
        var sent = await env.Queue.EnqueueAsync(new RepairRequest(lost.MaHoSo, lost.MaDonVi, lost.PhienBan, lost.Attempts, "retry"), TimeSpan.Zero, CancellationToken.None);

        await WaitUntilAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Length == 0, "the message to expire", TimeSpan.FromSeconds(60));
        await env.ReconcileAsync();

        // A reconciliation queues a page's repairs together, so the requeued request may share its message with others.
        var requeued = (await queue.PeekMessagesAsync(32)).Value
            .SelectMany(m => RepairMessageCodec.DecodeBatch(m.Body.ToString()).Select(request => (m.MessageId, Request: request)))
            .Where(m => m.Request.MaHoSo == lost.MaHoSo).ToList();
        var again = Assert.Single(requeued);
        Assert.NotEqual(sent, again.MessageId);
        Assert.Equal(lost.Attempts, again.Request.Attempt);
        Assert.StartsWith("requeued", again.Request.Reason);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Waited in vain for " + what);
            await Task.Delay(100);
        }
    }

    /// <summary>The host's repair handler, counting the deliveries it gets.</summary>
    private sealed class CountingRepairHandler(IRepairHandler inner, CountingRepairHandler.Counter counter) : IRepairHandler
    {
        public sealed class Counter
        {
            private int _value;
            public int Value => Volatile.Read(ref _value);
            public void Add() => Interlocked.Increment(ref _value);
        }

        public Task<IReadOnlyList<RepairOutcome>> HandleBatchAsync(IReadOnlyList<RepairRequest> requests, CancellationToken cancellationToken)
        {
            counter.Add();
            return inner.HandleBatchAsync(requests, cancellationToken);
        }

        public static void Install(WebApplicationBuilder builder, Counter counter)
        {
            var registered = builder.Services.Last(d => d.ServiceType == typeof(IRepairHandler));
            builder.Services.Remove(registered);
            builder.Services.AddSingleton<IRepairHandler>(sp => new CountingRepairHandler(
                (IRepairHandler)(registered.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!)), counter));
        }
    }
}
