using System.Text;
using DvcSync.Application.Agencies;
using DvcSync.Application.Indicators;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.Application.Unsynced;

public sealed record UnsyncedItem(
    string MaHoSo,
    string MaDonVi,
    string? NgayTiepNhan,
    string? TrangThaiHoSo,
    string State,
    int Attempts,
    string? LastError,
    string? NextAttemptAt);

public sealed record UnsyncedPage(IReadOnlyList<UnsyncedItem> Items, string? NextCursor);

/// <summary>The dossiers counted as received and not held by the portal, oldest first, with why they are not.</summary>
public sealed class UnsyncedQuery(AgencyDirectory agencies, ISyncLedger ledger)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public async Task<QueryResult<UnsyncedPage>> HandleAsync(PeriodQuery period, string? agencyCode, int limit, string? cursor, CancellationToken cancellationToken)
    {
        UnsyncedPosition? after = null;
        if (cursor is not null && !TryDecodeCursor(cursor, out after))
            return QueryResult<UnsyncedPage>.Invalid("Query parameter 'cursor' is not a cursor this API returned");

        var tree = await agencies.GetAsync(cancellationToken);
        var agency = agencyCode is null ? tree.Root : tree.Find(agencyCode);
        if (agency is null)
            return QueryResult<UnsyncedPage>.NotFound(agencyCode is null ? "The provincial system lists no agencies" : AgencyDirectory.NotListed(agencyCode));

        var entries = await ledger.GetUnsyncedAsync(tree.Subtree(agency.MaDonVi), period.From, period.To, after, limit + 1, cancellationToken);
        var page = entries.Take(limit).ToList();
        var next = entries.Count > limit && page.Count > 0 ? EncodeCursor(page[^1]) : null;
        return QueryResult<UnsyncedPage>.Ok(new UnsyncedPage(page.Select(ToItem).ToList(), next));
    }

    private static UnsyncedItem ToItem(LedgerEntry e) => new(
        e.MaHoSo,
        e.MaDonVi,
        e.NgayTiepNhan is { } at ? VnTime.FormatIso(at) : null,
        e.TrangThaiHoSo?.ToString(),
        e.State == SyncState.Synced ? SyncState.Pending.ToWire() : e.State.ToWire(),
        e.Attempts,
        e.LastError,
        e.State == SyncState.Retrying && e.NextAttemptAt is { } next ? VnTime.FormatIso(next) : null);

    private static string EncodeCursor(LedgerEntry last) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(VnTime.Format(last.NgayTiepNhan!.Value) + "|" + last.MaHoSo))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryDecodeCursor(string cursor, out UnsyncedPosition? position)
    {
        position = null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var bar = text.IndexOf('|');
            if (bar <= 0 || !VnTime.TryParse(text[..bar], out var at) || bar == text.Length - 1) return false;
            position = new UnsyncedPosition(at, text[(bar + 1)..]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
