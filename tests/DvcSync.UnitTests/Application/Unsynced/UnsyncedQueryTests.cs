using System.Text.Json;
using DvcSync.Application.Indicators;
using DvcSync.Application.Unsynced;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.UnitTests.Core;
using Moq;

namespace DvcSync.UnitTests.Application.Unsynced;

/// <summary>The unsynced list: its pages over the ledger's order, the agency's subtree, and what each row says (and does not).</summary>
public class UnsyncedQueryTests
{
    private static readonly DateTimeOffset Now = HandlerFixture.Now;
    private static readonly PeriodQuery January = new(new DateOnly(2025, 1, 1), new DateOnly(2025, 1, 31));
    private readonly HandlerFixture _f = new();
    private readonly List<LedgerEntry> _unsynced = [];
    private int _reads;

    public UnsyncedQueryTests()
    {
        // The port's contract, in memory: the agencies' entries of the period, by (NgayTiepNhan, MaHoSo), after the position.
        _f.Ledger.Setup(l => l.GetUnsyncedAsync(It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<DateOnly>(), It.IsAny<DateOnly>(),
                It.IsAny<UnsyncedPosition?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, UnsyncedPosition? after, int limit, CancellationToken _) =>
            {
                _reads++;
                return _unsynced
                    .Where(e => agencies.Contains(e.MaDonVi) && e.ReceivedDay >= from && e.ReceivedDay <= to)
                    .OrderBy(e => e.NgayTiepNhan).ThenBy(e => e.MaHoSo, StringComparer.Ordinal)
                    .Where(e => after is null || e.NgayTiepNhan > after.NgayTiepNhan
                                || (e.NgayTiepNhan == after.NgayTiepNhan && string.CompareOrdinal(e.MaHoSo, after.MaHoSo) > 0))
                    .Take(limit).ToList();
            });
    }

    private UnsyncedQuery Query() => new(Province.Directory(_f), _f.Ledger.Object);

    private LedgerEntry Unsynced(int n, string agency = "000.00.19.H19", SyncState state = SyncState.Pending, int day = 15)
    {
        var source = new DossierBuilder().Code($"{agency}-2501{day:00}-{n:00000}", agency)
            .With("NgayTiepNhan", $"202501{day:00}0930{n % 60:00}").Source();
        var entry = LedgerEntry.For(source, Now) with { State = state };
        _unsynced.Add(entry);
        return entry;
    }

    private async Task<UnsyncedPage> PageAsync(string? agency = null, int limit = UnsyncedQuery.DefaultLimit, string? cursor = null)
    {
        var result = await Query().HandleAsync(January, agency, limit, cursor, CancellationToken.None);
        Assert.Null(result.Failure);
        return result.Value!;
    }

    [Fact]
    public async Task Pages_follow_the_cursor_to_the_end_with_every_dossier_once_in_the_ledgers_order()
    {
        for (var n = 0; n < 5; n++) Unsynced(n, day: 20 - n);
        var expected = _unsynced.OrderBy(e => e.NgayTiepNhan).Select(e => e.MaHoSo).ToList();

        var seen = new List<string>();
        var sizes = new List<int>();
        string? cursor = null;
        do
        {
            var page = await PageAsync(limit: 2, cursor: cursor);
            seen.AddRange(page.Items.Select(i => i.MaHoSo));
            sizes.Add(page.Items.Count);
            cursor = page.NextCursor;
        } while (cursor is not null && sizes.Count < 10);

        Assert.Equal([2, 2, 1], sizes);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_page_that_holds_the_last_dossier_gives_no_cursor()
    {
        for (var n = 0; n < 3; n++) Unsynced(n);

        var page = await PageAsync(limit: 3);

        Assert.Equal(3, page.Items.Count);
        Assert.Null(page.NextCursor);
    }

    [Theory]
    [InlineData("not-a-cursor!")]
    [InlineData("MjAyNTAxMTUwOTMwMDA")] // base64 of a date without the "|MaHoSo" part
    public async Task A_cursor_this_api_did_not_give_is_invalid_unrepeated_and_nothing_is_read(string cursor)
    {
        var result = await Query().HandleAsync(January, null, 10, cursor, CancellationToken.None);

        Assert.Equal(QueryFailure.Invalid, result.Failure);
        Assert.DoesNotContain(cursor, result.Detail);
        Assert.Equal(0, _reads);
    }

    [Fact]
    public async Task An_agency_the_provincial_system_does_not_list_is_not_found()
    {
        var result = await Query().HandleAsync(January, "000.00.99.H19", 10, null, CancellationToken.None);

        Assert.Equal(QueryFailure.NotFound, result.Failure);
        Assert.Equal(0, _reads);
    }

    [Fact]
    public async Task An_agency_lists_its_own_dossiers_and_those_below_it_only()
    {
        var own = Unsynced(1, Province.Justice.MaDonVi);
        var below = Unsynced(2, Province.Commune.MaDonVi);
        Unsynced(3, Province.Health.MaDonVi);

        var page = await PageAsync(Province.Justice.MaDonVi);

        Assert.Equal([own.MaHoSo, below.MaHoSo], page.Items.Select(i => i.MaHoSo).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Each_row_says_why_in_its_state_and_the_portals_words_and_when_a_retry_is_due()
    {
        var retryAt = Now.AddMinutes(3);
        var retrying = Unsynced(1, state: SyncState.Retrying) with { Attempts = 2, NextAttemptAt = retryAt, LastError = "timeout" };
        var rejected = Unsynced(2, state: SyncState.Rejected) with { Attempts = 1, NextAttemptAt = retryAt, LastError = "2: NgayHenTra thiếu" };
        var lapsed = Unsynced(3, state: SyncState.Synced);
        _unsynced.Clear();
        _unsynced.AddRange([retrying, rejected, lapsed]);

        var items = (await PageAsync()).Items.ToDictionary(i => i.MaHoSo);

        Assert.Equal(("retrying", 2, "timeout", VnTime.FormatIso(retryAt)),
            (items[retrying.MaHoSo].State, items[retrying.MaHoSo].Attempts, items[retrying.MaHoSo].LastError, items[retrying.MaHoSo].NextAttemptAt));
        Assert.Equal(("rejected", "2: NgayHenTra thiếu", (string?)null),
            (items[rejected.MaHoSo].State, items[rejected.MaHoSo].LastError, items[rejected.MaHoSo].NextAttemptAt));
        // Synced at a version the portal no longer holds: for the reader, waiting for its repair.
        Assert.Equal("pending", items[lapsed.MaHoSo].State);
        Assert.Equal(VnTime.FormatIso(lapsed.NgayTiepNhan!.Value), items[lapsed.MaHoSo].NgayTiepNhan);
    }

    [Fact]
    public async Task A_row_carries_the_dossiers_codes_and_no_personal_data()
    {
        Unsynced(1);

        var json = JsonSerializer.Serialize(await PageAsync());

        Assert.Equal(["Attempts", "LastError", "MaDonVi", "MaHoSo", "NextAttemptAt", "NgayTiepNhan", "State", "TrangThaiHoSo"],
            typeof(UnsyncedItem).GetProperties().Select(p => p.Name).Order(StringComparer.Ordinal));
        foreach (var personal in new[] { "Nguyễn", "079012345678", "0901234567", "an.nguyen@example.vn" }) Assert.DoesNotContain(personal, json);
    }
}
