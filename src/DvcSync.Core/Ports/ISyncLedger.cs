using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;

namespace DvcSync.Core.Ports;

/// <summary>Someone else changed the entry since it was read: read it again and decide again.</summary>
public sealed class LedgerConflictException(string maHoSo) : Exception($"Ledger entry {maHoSo} changed concurrently")
{
    public string MaHoSo { get; } = maHoSo;
}

/// <summary>
/// The sync ledger: one entry per dossier, and the per-agency, per-day counts that the indicator reads. Saving an
/// entry and adjusting the counts it contributes to is one atomic step, so the counts equal a recount of the
/// entries whatever crashes or races happen. The counts are the 1.4 counts (seen, synced by reception day) and the
/// scorecard counters: for each agency, the sum over its entries of <see cref="LedgerEntry.Contributions"/>, per row
/// (axis, side, day) — a save applies <see cref="ScoreContributions.Delta"/> of the stored and the saved entry.
/// </summary>
public interface ISyncLedger
{
    Task<LedgerEntry?> GetAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken);

    /// <summary>
    /// Saves <paramref name="next"/> if the stored entry is still <paramref name="previous"/> (by ETag; null means
    /// "must not exist yet"). Throws <see cref="LedgerConflictException"/> otherwise.
    /// </summary>
    /// <returns>The saved entry, with its new ETag.</returns>
    Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken);

    /// <summary>
    /// Saves many entries, each under the same condition as <see cref="SaveAsync"/>, in as few writes as the store
    /// allows (entries of one agency together). An entry that moved on is reported, not saved; the others are saved
    /// whatever happens to it.
    /// </summary>
    /// <returns>One result per change, in order.</returns>
    async Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> changes, CancellationToken cancellationToken)
    {
        var results = new List<LedgerChangeResult>(changes.Count);
        foreach (var change in changes) results.Add(await this.TrySaveAsync(change, cancellationToken));
        return results;
    }

    /// <summary>
    /// What a sync-rate figure for the period needs: the month roll-ups of months wholly inside it, and the day rows of
    /// the rest. A year reads about twelve rows per agency.
    /// </summary>
    Task<(IReadOnlyList<LedgerMonthCount> Months, IReadOnlyList<LedgerDayCount> Days)> GetPeriodCountsAsync(IReadOnlyCollection<string> agencies,
        DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>
    /// When the oldest confirmation behind the synced counts of the period was made (sync-api.md, <c>asOf</c>): the least
    /// <see cref="LedgerEntry.ConfirmedAt"/> kept beside the day counts and month roll-ups that count something synced, read
    /// from the same few rows a figure reads. Kept as a minimum on save, it is a lower bound: no confirmation behind the
    /// figure is older, and it is one that was made. Null when nothing counted in the period is synced.
    /// </summary>
    Task<DateTimeOffset?> GetOldestConfirmationAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>
    /// The scorecard counters of each agency asked for, summed over the rows whose day lies in the period (both days
    /// inclusive): for each agency, Σ over its entries of <see cref="LedgerEntry.Contributions"/> restricted to those
    /// days, as <see cref="ScoreRows.SumPeriod(IEnumerable{ScoreRow}, IEnumerable{ScoreRow}, ScorePeriod)"/> adds them.
    /// Every agency asked for has a value (empty when it counts nothing). A store may answer whole months from month
    /// roll-ups kept beside the day rows; a year reads a few rows per agency, never the entries. The period's evaluation
    /// day says whether open dossiers may be named by due month (<see cref="ScorePeriod.JudgesDueByMonth"/>).
    /// </summary>
    Task<IReadOnlyDictionary<string, ScoreTotals>> GetScoreTotalsAsync(IReadOnlyCollection<string> agencies, ScorePeriod period,
        CancellationToken cancellationToken);

    /// <summary>
    /// The scorecard day rows of one agency for the days from <paramref name="from"/> to <paramref name="to"/>, each
    /// (axis, side, day) once, for audits comparing them with a recount; a row that counts nothing may be left out.
    /// </summary>
    Task<IReadOnlyList<ScoreRow>> GetScoreDayRowsAsync(string maDonVi, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the provincial system's received counts for the days from <paramref name="from"/> to <paramref name="to"/>
    /// beside the ledger's own counts, adjusting the month roll-ups; a day the report no longer lists is set to zero.
    /// </summary>
    Task RecordReportedCountsAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>
    /// Re-copies every month roll-up (1.4 counts and scorecard counters) to where period queries read it. Each save copies its own months at once; this
    /// redoes the copies a crash between the two may have lost.
    /// </summary>
    Task RepairRollupCopiesAsync(CancellationToken cancellationToken);

    /// <summary>Per-agency, per-day counts of the ledger, for the given agencies and days (both inclusive).</summary>
    Task<IReadOnlyList<LedgerDayCount>> GetDayCountsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>
    /// Entries counted as received but not held by the portal, for the given agencies and days, ordered by
    /// (NgayTiepNhan, MaHoSo) and starting after <paramref name="after"/>.
    /// </summary>
    Task<IReadOnlyList<LedgerEntry>> GetUnsyncedAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        UnsyncedPosition? after, int limit, CancellationToken cancellationToken);

    /// <summary>Entries in a state that the repair is responsible for (pending or retrying), whatever their day.</summary>
    IAsyncEnumerable<LedgerEntry> GetInRepairAsync(CancellationToken cancellationToken);
}

public sealed record LedgerChange(LedgerEntry? Previous, LedgerEntry Next);

public static class SyncLedgerExtensions
{
    /// <summary><see cref="ISyncLedger.SaveAsync"/> of one change, a conflict reported in the result rather than thrown.</summary>
    public static async Task<LedgerChangeResult> TrySaveAsync(this ISyncLedger ledger, LedgerChange change, CancellationToken cancellationToken)
    {
        try
        {
            return new LedgerChangeResult(change, await ledger.SaveAsync(change.Previous, change.Next, cancellationToken));
        }
        catch (LedgerConflictException)
        {
            return new LedgerChangeResult(change, null);
        }
    }
}

/// <param name="Saved">The stored entry with its new ETag; null when the stored entry was no longer <c>Previous</c>.</param>
public sealed record LedgerChangeResult(LedgerChange Change, LedgerEntry? Saved)
{
    public bool Conflicted => Saved is null;
}

public sealed record UnsyncedPosition(DateTimeOffset NgayTiepNhan, string MaHoSo);
