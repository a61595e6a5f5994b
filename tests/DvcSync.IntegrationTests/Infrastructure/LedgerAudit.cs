using Azure.Data.Tables;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>Reads the ledger table whole, to prove its per-day counts equal a full recount of its entries.</summary>
public static class LedgerAudit
{
    public static async Task<IReadOnlyList<LedgerEntry>> AllEntriesAsync(StorageAccount account, string tablePrefix, ISyncLedger ledger)
    {
        var table = account.Table(tablePrefix + StorageOptions.LedgerTableName);
        var entries = new List<LedgerEntry>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.RowKey.CompareTo("h|") >= 0 && r.RowKey.CompareTo("h}") < 0))
            entries.Add((await ledger.GetAsync(row.GetString("MaDonVi"), row.GetString("MaHoSo"), CancellationToken.None))!);
        return entries;
    }

    public static async Task AssertCountsEqualRecountAsync(StorageAccount account, string tablePrefix, ISyncLedger ledger)
    {
        var entries = await AllEntriesAsync(account, tablePrefix, ledger);
        var counted = entries.Where(e => e.ReceivedDay is not null).ToList();
        var agencies = entries.Select(e => e.MaDonVi).Distinct().ToList();
        var first = counted.Min(e => e.ReceivedDay!.Value);
        var last = counted.Max(e => e.ReceivedDay!.Value);

        var stored = (await ledger.GetDayCountsAsync(agencies, first, last, CancellationToken.None))
            .Where(c => c.Seen != 0 || c.Synced != 0)
            .OrderBy(c => c.MaDonVi, StringComparer.Ordinal).ThenBy(c => c.Day).ToList();
        var recount = counted.GroupBy(e => (e.MaDonVi, Day: e.ReceivedDay!.Value))
            .Select(g => new LedgerDayCount(g.Key.MaDonVi, g.Key.Day, g.Count(), g.Count(e => e.CountsAsSynced)))
            .OrderBy(c => c.MaDonVi, StringComparer.Ordinal).ThenBy(c => c.Day).ToList();
        Assert.Equal(recount, stored);

        var unsynced = await ledger.GetUnsyncedAsync(agencies, first, last, null, 100_000, CancellationToken.None);
        Assert.Equal(counted.Where(e => e.IsUnsynced).Select(e => e.MaHoSo).Order(), unsynced.Select(e => e.MaHoSo).Order());
    }
}
