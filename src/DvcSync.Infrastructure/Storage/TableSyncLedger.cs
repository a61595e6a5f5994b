using Azure.Data.Tables;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The ledger on Azure Table Storage: one partition per agency holds its dossiers' entries and the rows derived from
/// them, changed together in one entity-group transaction, so a count can never disagree with the entries and two
/// writers of one entry cannot both win. Each job is a part of its own: the entry writer, the derived rows, the
/// roll-up mirror, the reported-count recorder and the queries.
/// </summary>
internal sealed class TableSyncLedger : ISyncLedger
{
    /// <inheritdoc cref="LedgerIndexQuery.UnsyncedQueriesAtOnce"/>
    internal const int UnsyncedQueriesAtOnce = LedgerIndexQuery.UnsyncedQueriesAtOnce;

    private readonly TableClient _table;
    private readonly LedgerEntryWriter _writer;
    private readonly RollupMirror _mirror;
    private readonly ReportedCountRecorder _reported;
    private readonly LedgerPeriodQuery _periods;
    private readonly LedgerIndexQuery _indexes;
    private readonly RollupMirror _scoreMirror;
    private readonly ScorePeriodQuery _scores;

    /// <param name="moveStepDone">A fault seam for tests: called after each step of moving a dossier between agencies.</param>
    public TableSyncLedger(TableClient table, PartitionRegistry partitions, TableClient rollups, Action<string>? moveStepDone = null)
    {
        var derived = new LedgerDerivedRows(table);
        _table = table;
        _mirror = new RollupMirror(table, rollups, partitions, RollupShape.SyncRate);
        _scoreMirror = new RollupMirror(table, rollups, partitions, RollupShape.Scorecard);
        _scores = new ScorePeriodQuery(table, rollups);
        _writer = new LedgerEntryWriter(table, partitions, derived, _mirror, new ScoreCounterRows(derived), _scoreMirror,
            new DossierAgencyIndex(partitions.StateTable), moveStepDone);
        _reported = new ReportedCountRecorder(table, partitions, derived, _mirror);
        _periods = new LedgerPeriodQuery(table, rollups);
        _indexes = new LedgerIndexQuery(table, partitions);
    }

    public async Task<LedgerEntry?> GetAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(maDonVi), TableKeys.Entry(maHoSo), cancellationToken: cancellationToken);
        return response.HasValue ? LedgerEntryMapping.ToEntry(response.Value!) : null;
    }

    public Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken) =>
        _writer.SaveAsync(previous, next, cancellationToken);

    public Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> changes, CancellationToken cancellationToken) =>
        _writer.SaveManyAsync(changes, cancellationToken);

    public Task RecordReportedCountsAsync(IReadOnlyList<ReportedReceivedCount> counts, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        _reported.RecordAsync(counts, from, to, cancellationToken);

    public async Task RepairRollupCopiesAsync(CancellationToken cancellationToken)
    {
        await _mirror.RepairAllAsync(cancellationToken);
        await _scoreMirror.RepairAllAsync(cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, ScoreTotals>> GetScoreTotalsAsync(IReadOnlyCollection<string> agencies, ScorePeriod period,
        CancellationToken cancellationToken) => _scores.GetTotalsAsync(agencies, period, cancellationToken);

    public async Task<IReadOnlyList<ScoreRow>> GetScoreDayRowsAsync(string maDonVi, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        await _scores.DayRowsAsync(maDonVi, from, to, cancellationToken);

    public Task<(IReadOnlyList<LedgerMonthCount> Months, IReadOnlyList<LedgerDayCount> Days)> GetPeriodCountsAsync(
        IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        _periods.GetPeriodCountsAsync(agencies, from, to, cancellationToken);

    public Task<DateTimeOffset?> GetOldestConfirmationAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        _periods.GetOldestConfirmationAsync(agencies, from, to, cancellationToken);

    public Task<IReadOnlyList<LedgerDayCount>> GetDayCountsAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        _periods.GetDayCountsAsync(agencies, from, to, cancellationToken);

    public Task<IReadOnlyList<LedgerEntry>> GetUnsyncedAsync(IReadOnlyCollection<string> agencies, DateOnly from, DateOnly to,
        UnsyncedPosition? after, int limit, CancellationToken cancellationToken) =>
        _indexes.GetUnsyncedAsync(agencies, from, to, after, limit, cancellationToken);

    public IAsyncEnumerable<LedgerEntry> GetInRepairAsync(CancellationToken cancellationToken) => _indexes.GetInRepairAsync(cancellationToken);
}
