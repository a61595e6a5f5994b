using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage;

/// <summary>
/// The unsynced list of a province of many agencies, read through a ledger whose table client counts the requests it
/// has in flight: the same rows in the same order and pages, with only a few agency queries running at once.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnsyncedFanOutTests(AzuriteFixture azurite)
{
    private const int Agencies = 60;
    private const int PerAgency = 6;
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 8, 0, 0, VnTime.Offset);

    [Fact]
    public async Task Many_agencies_page_in_reception_order_with_a_few_agency_queries_at_a_time()
    {
        await using var storage = await TestStorage.CreateAsync(azurite);
        var agencies = Enumerable.Range(0, Agencies).Select(a => $"000.{a / 10:00}.{a % 10:00}.H19").ToList();
        var entries = new List<LedgerEntry>();
        for (var a = 0; a < Agencies; a++)
        {
            // Interleaved across agencies, two dossiers sharing each received time, so the order depends on MaHoSo too.
            var batch = Enumerable.Range(0, PerAgency).Select(n => new LedgerEntry
            {
                MaHoSo = $"{agencies[a]}-250301-{n:00000}",
                MaDonVi = agencies[a],
                NgayTiepNhan = Start.AddMinutes(n * Agencies + a / 2),
                TrangThaiHoSo = 2,
                PhienBan = 1,
                State = SyncState.Pending,
                UpdatedAt = Start,
            }).ToList();
            await storage.Ledger.SaveManyAsync(batch.Select(e => new LedgerChange(null, e)).ToList(), CancellationToken.None);
            entries.AddRange(batch);
        }
        // A dossier received outside the period is not listed.
        await storage.Ledger.SaveAsync(null, entries[0] with { MaHoSo = agencies[0] + "-250401-00001", NgayTiepNhan = Start.AddMonths(1) }, CancellationToken.None);

        var inFlight = new InFlightCounter();
        var options = new TableClientOptions();
        options.AddPolicy(inFlight, HttpPipelinePosition.PerCall);
        var ledger = new TableSyncLedger(
            new TableClient(azurite.ConnectionString, storage.TablePrefix + StorageOptions.LedgerTableName, options),
            new PartitionRegistry(storage.Account.Table(storage.TablePrefix + StorageOptions.StateTableName)),
            storage.Account.Table(storage.TablePrefix + StorageOptions.RollupTableName));

        var day = VnTime.Day(Start);
        var seen = new List<LedgerEntry>();
        UnsyncedPosition? after = null;
        for (var pages = 1; ; pages++)
        {
            var page = await ledger.GetUnsyncedAsync(agencies, day, day.AddDays(2), after, 25, CancellationToken.None);
            seen.AddRange(page);
            if (page.Count < 25) break;
            Assert.True(pages < 100, "the pages do not end");
            after = new UnsyncedPosition(page[^1].NgayTiepNhan!.Value, page[^1].MaHoSo);
        }

        var expected = entries.OrderBy(e => e.NgayTiepNhan).ThenBy(e => e.MaHoSo, StringComparer.Ordinal).Select(e => e.MaHoSo).ToList();
        Assert.Equal(expected, seen.Select(e => e.MaHoSo).ToList());
        Assert.InRange(inFlight.Peak, 2, TableSyncLedger.UnsyncedQueriesAtOnce);
    }

    /// <summary>Counts the requests of one table client between sending and the answer, with a round trip long enough to overlap.</summary>
    private sealed class InFlightCounter : HttpPipelinePolicy
    {
        private int _now;
        private int _peak;

        public int Peak => Volatile.Read(ref _peak);

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Enter();
            try
            {
                // Azurite on the same machine answers in a millisecond; a real account takes tens of them.
                await Task.Delay(30);
                await ProcessNextAsync(message, pipeline);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Enter();
            try
            {
                ProcessNext(message, pipeline);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }

        private void Enter()
        {
            var now = Interlocked.Increment(ref _now);
            for (var peak = Volatile.Read(ref _peak); now > peak; peak = Volatile.Read(ref _peak))
                if (Interlocked.CompareExchange(ref _peak, now, peak) == peak) break;
        }
    }
}
