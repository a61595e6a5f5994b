using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage.Contract;

/// <summary>Month roll-ups and the copied provincial counts: a year-long figure from a dozen rows per agency, still exact.</summary>
public abstract class RollupContract
{
    protected abstract Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null);

    private static LedgerEntry Entry(string agency, int n, DateOnly day, bool held) => new()
    {
        MaHoSo = $"{agency}-{n:00000}",
        MaDonVi = agency,
        NgayTiepNhan = VnTime.StartOfDay(day).AddHours(9),
        PhienBan = 1,
        State = held ? SyncState.Synced : SyncState.Pending,
        PortalHolds = held,
        UpdatedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_year_from_roll_ups_equals_the_sum_of_its_days_with_reported_counts_larger_or_smaller()
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var random = new Random(11);
        var start = new DateOnly(2025, 1, 1);
        for (var n = 0; n < 120; n++)
        {
            var agency = n % 3 == 0 ? "A" : "B";
            var day = start.AddDays(random.Next(0, 365));
            await ledger.SaveAsync(null, Entry(agency, n, day, held: n % 4 != 0), CancellationToken.None);
        }
        // The province reports more than was seen on some days and fewer on others.
        var seenDays = await ledger.GetDayCountsAsync(["A", "B"], start, start.AddDays(364), CancellationToken.None);
        var reported = seenDays.Select((d, i) => new ReportedReceivedCount(d.MaDonVi, d.Day, i % 2 == 0 ? d.Seen + 2 : Math.Max(0, d.Seen - 1)))
            .Append(new ReportedReceivedCount("A", new DateOnly(2025, 7, 1), 5))
            .GroupBy(r => (r.MaDonVi, r.Ngay)).Select(g => g.First()).ToList();
        await ledger.RecordReportedCountsAsync(reported, start, start.AddDays(364), CancellationToken.None);
        // And a dossier arriving after the report still moves the roll-up.
        await ledger.SaveAsync(null, Entry("A", 999, new DateOnly(2025, 7, 1), held: true), CancellationToken.None);

        var days = await ledger.GetDayCountsAsync(["A", "B"], start, start.AddDays(364), CancellationToken.None);
        var expected = new SyncRateCalculator(days).For(new HashSet<string> { "A", "B" }, start, start.AddDays(364));
        var (months, edges) = await ledger.GetPeriodCountsAsync(["A", "B"], start, start.AddDays(364), CancellationToken.None);
        var fromRollups = new SyncRateCalculator(edges, months).For(new HashSet<string> { "A", "B" }, start, start.AddDays(364));

        Assert.Empty(edges);
        Assert.InRange(months.Count, 2, 24);
        Assert.Equal(expected, fromRollups);
        Assert.Equal(reported.Sum(r => Math.Max(r.SoHoSoTiepNhan, days.Single(d => d.MaDonVi == r.MaDonVi && d.Day == r.Ngay).Seen)) , expected.Received);
        await storage.AssertCountsEqualRecountAsync();
    }

    [Theory]
    [InlineData("2025-01-15", "2025-03-10")]
    [InlineData("2025-02-01", "2025-02-28")]
    [InlineData("2025-06-15", "2025-07-15")]
    [InlineData("2025-03-31", "2025-05-01")]
    public async Task Partial_months_at_either_end_come_from_their_days(string from, string to)
    {
        await using var storage = await OpenAsync();
        var ledger = storage.Ledger;
        var start = new DateOnly(2025, 1, 1);
        for (var n = 0; n < 150; n++) await ledger.SaveAsync(null, Entry("A", n, start.AddDays(n), held: n % 3 != 0), CancellationToken.None);
        await ledger.RecordReportedCountsAsync([new ReportedReceivedCount("A", new DateOnly(2025, 2, 10), 4), new ReportedReceivedCount("A", new DateOnly(2025, 3, 31), 3)],
            start, start.AddDays(200), CancellationToken.None);
        var first = DateOnly.Parse(from);
        var last = DateOnly.Parse(to);

        var days = await ledger.GetDayCountsAsync(["A"], first, last, CancellationToken.None);
        var (months, edges) = await ledger.GetPeriodCountsAsync(["A"], first, last, CancellationToken.None);

        Assert.Equal(new SyncRateCalculator(days).For(new HashSet<string> { "A" }, first, last),
            new SyncRateCalculator(edges, months).For(new HashSet<string> { "A" }, first, last));
    }

    [Fact]
    public async Task A_report_lowered_later_lowers_the_roll_up()
    {
        await using var storage = await OpenAsync();
        var day = new DateOnly(2025, 3, 3);
        await storage.Ledger.RecordReportedCountsAsync([new ReportedReceivedCount("A", day, 9)], day, day, CancellationToken.None);
        await storage.Ledger.RecordReportedCountsAsync([new ReportedReceivedCount("A", day, 2)], day, day, CancellationToken.None);
        await storage.Ledger.RecordReportedCountsAsync([], day, day, CancellationToken.None);
        await storage.Ledger.RecordReportedCountsAsync([new ReportedReceivedCount("A", day.AddDays(1), 1)], day, day.AddDays(1), CancellationToken.None);

        var (months, _) = await storage.Ledger.GetPeriodCountsAsync(["A"], new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), CancellationToken.None);
        Assert.Equal(1, Assert.Single(months).Received);
    }
}
