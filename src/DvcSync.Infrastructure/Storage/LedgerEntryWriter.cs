using Azure;
using Azure.Data.Tables;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Saves entries: each save is one entity-group transaction in the agency's partition that replaces the entry
/// (conditional on its ETag) and adjusts the rows derived from it (<see cref="LedgerDerivedRows"/>), then copies the
/// months it touched on (<see cref="RollupMirror"/>). Several entries of one agency share a transaction, their counts
/// merged.
/// <para>
/// A dossier counts once, for its latest agency (provincial-system.md, Agencies). An entry's first save (or the return of
/// a moved one) is an arrival: before it, <see cref="PrepareArrivalAsync"/> finds through the <see cref="DossierAgencyIndex"/>
/// the entry of the agency the dossier was known under and retires it (<see cref="LedgerEntry.MovedAway"/>), then names the
/// new agency in the index, then the entry is inserted. The three writes are in different partitions and cannot share a
/// transaction; in this order a crash anywhere leaves the dossier counted nowhere for a while, never twice — and the
/// caller's page is not checkpointed until the save returns, so the next pass saves it again and finishes the move.
/// </para>
/// </summary>
/// <param name="moveStepDone">A fault seam for tests: called after each step of a move ("retired", "indexed").</param>
internal sealed class LedgerEntryWriter(TableClient table, PartitionRegistry partitions, LedgerDerivedRows derived, RollupMirror mirror,
    ScoreCounterRows scores, RollupMirror scoreMirror, DossierAgencyIndex index, Action<string>? moveStepDone = null)
{
    /// <summary>Arrivals of one batch prepared at once.</summary>
    private const int ArrivalsAtOnce = 8;

    /// <summary>Entries per transaction: each brings up to five actions and a few scorecard rows (shared by entries of
    /// the same days), and the transaction holds at most 100; a batch over that is split.</summary>
    private const int MaxEntriesPerTransaction = 16;

    private const int MaxActionsPerTransaction = 100;

    public async Task<LedgerEntry> SaveAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken)
    {
        EnsureValid(previous, next);
        var arriving = IsArrival(previous, next);
        if (arriving) next = await PrepareArrivalAsync(next, cancellationToken);
        var saved = await TrySaveOneAsync(previous, next, cancellationToken) ?? throw new LedgerConflictException(next.MaHoSo);
        return arriving ? await ConfirmArrivalAsync(saved, cancellationToken) : saved;
    }

    /// <summary>
    /// After an arrival is written: if a concurrent arrival of a newer version named another agency meanwhile (its
    /// preparation could not see this entry, not yet written), this entry steps aside, so two arrivals racing end
    /// counted once.
    /// </summary>
    private async Task<LedgerEntry> ConfirmArrivalAsync(LedgerEntry saved, CancellationToken cancellationToken)
    {
        if (saved.HasMoved) return saved;
        var (known, knownVersion, _) = await index.ReadAsync(saved.MaHoSo, cancellationToken);
        if (known is null || known == saved.MaDonVi || knownVersion <= saved.PhienBan) return saved;
        return await TrySaveOneAsync(saved, saved.MovedAway(known, knownVersion, saved.UpdatedAt), cancellationToken) ?? saved;
    }

    public async Task<IReadOnlyList<LedgerChangeResult>> SaveManyAsync(IReadOnlyList<LedgerChange> requested, CancellationToken cancellationToken)
    {
        foreach (var change in requested) EnsureValid(change.Previous, change.Next);
        var changes = requested.ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, changes.Length).Where(i => IsArrival(changes[i].Previous, changes[i].Next)),
            new ParallelOptions { MaxDegreeOfParallelism = ArrivalsAtOnce, CancellationToken = cancellationToken },
            async (i, token) => changes[i] = changes[i] with { Next = await PrepareArrivalAsync(changes[i].Next, token) });

        var results = new LedgerChangeResult?[changes.Length];
        var byAgency = Enumerable.Range(0, changes.Length).GroupBy(i => changes[i].Next.MaDonVi, StringComparer.Ordinal);
        await Task.WhenAll(byAgency.Select(group => SaveAgencyAsync(group.Key, group.ToList(), changes, results, cancellationToken)));
        var final = results.Select(r => r!.Saved).ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, changes.Length).Where(i => final[i] is not null && IsArrival(requested[i].Previous, requested[i].Next)),
            new ParallelOptions { MaxDegreeOfParallelism = ArrivalsAtOnce, CancellationToken = cancellationToken },
            async (i, token) => final[i] = await ConfirmArrivalAsync(final[i]!, token));
        // Reported against the change asked for; the saved entry says whether it arrived or was found to have moved on.
        return final.Select((saved, i) => new LedgerChangeResult(requested[i], saved)).ToList();
    }

    /// <summary>The save makes the entry speak for the dossier where it had not: a first save, or a moved entry coming back.</summary>
    internal static bool IsArrival(LedgerEntry? previous, LedgerEntry next) => !next.HasMoved && (previous is null || previous.HasMoved);

    /// <summary>
    /// Retires the entry of the agency the dossier was known under and names the new agency in the index; returns the
    /// entry to insert. When the other entry speaks for a newer version than <paramref name="next"/> (an old page, a late
    /// message), the dossier is there and not here: <paramref name="next"/> is saved as moved away to it instead.
    /// </summary>
    private async Task<LedgerEntry> PrepareArrivalAsync(LedgerEntry next, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (known, knownVersion, etag) = await index.ReadAsync(next.MaHoSo, cancellationToken);
            if (known == next.MaDonVi) return next;
            // Named elsewhere at a newer version (its entry may not be written yet): the dossier is there.
            if (known is not null && knownVersion > next.PhienBan) return next.MovedAway(known, knownVersion, next.UpdatedAt);
            if (known is not null && await ReadEntryAsync(known, next.MaHoSo, cancellationToken) is { HasMoved: false } other)
            {
                if (other.PhienBan > next.PhienBan) return next.MovedAway(other.MaDonVi, other.PhienBan, next.UpdatedAt);
                // First the old entry stops counting: from here until the insert the dossier counts nowhere, never twice.
                if (await TrySaveOneAsync(other, other.MovedAway(next.MaDonVi, next.PhienBan, next.UpdatedAt), cancellationToken) is null)
                    continue; // it changed meanwhile: read it again and decide again
                moveStepDone?.Invoke("retired");
            }
            // Then the index names the new agency, before its entry exists: a later move always finds the entry that counts.
            if (await index.TryNameAsync(next.MaHoSo, next.MaDonVi, next.PhienBan, etag, cancellationToken))
            {
                moveStepDone?.Invoke("indexed");
                return next;
            }
            if (attempt >= LedgerConcurrency.MaxRetries) throw new LedgerConflictException(next.MaHoSo);
            await LedgerConcurrency.BackOffAsync(attempt, cancellationToken); // another arrival of the dossier named its agency first
        }
    }

    private async Task<LedgerEntry?> ReadEntryAsync(string maDonVi, string maHoSo, CancellationToken cancellationToken)
    {
        var response = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Escape(maDonVi), TableKeys.Entry(maHoSo), cancellationToken: cancellationToken);
        return response.HasValue ? LedgerEntryMapping.ToEntry(response.Value!) : null;
    }

    /// <returns>The saved entry with its new ETag; null when the entry itself moved on (or was created by someone else).</returns>
    private async Task<LedgerEntry?> TrySaveOneAsync(LedgerEntry? previous, LedgerEntry next, CancellationToken cancellationToken)
    {
        var partition = TableKeys.Escape(next.MaDonVi);
        if (previous is null) await partitions.EnsureAsync(next.MaDonVi, cancellationToken);

        for (var attempt = 0; ; attempt++)
        {
            var actions = new List<TableTransactionAction>(6) { EntryAction(partition, previous, next) };

            await derived.AddDayCountActionsAsync(partition, [(previous, next)], actions, cancellationToken);
            LedgerDerivedRows.AddIndexActions(partition, previous, next, actions);
            await scores.AddActionsAsync(partition, [(previous, next)], actions, cancellationToken);

            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken);
                await mirror.CopyAsync(partition, next.MaDonVi, LedgerDerivedRows.MonthsTouched(actions), cancellationToken);
                await scoreMirror.CopyAsync(partition, next.MaDonVi, ScoreCounterRows.MonthsTouched(actions), cancellationToken);
                return next with { ETag = response.Value[0].Headers.ETag?.ToString() };
            }
            catch (TableTransactionFailedException failure) when (failure.FailedTransactionActionIndex is 0 or null && LedgerConcurrency.IsConflict(failure.Status))
            {
                return null; // the caller must decide again
            }
            catch (TableTransactionFailedException failure) when (attempt < LedgerConcurrency.MaxRetries && LedgerConcurrency.IsConflict(failure.Status))
            {
                // Another dossier of the same agency-day changed its count first: read the count again and retry.
                await LedgerConcurrency.BackOffAsync(attempt, cancellationToken);
            }
        }
    }

    private async Task<LedgerChangeResult> TrySaveOneAsync(LedgerChange change, CancellationToken cancellationToken) =>
        new(change, await TrySaveOneAsync(change.Previous, change.Next, cancellationToken));

    /// <summary>What every store checks before saving: an entry keeps its keys, and a previous entry comes from the store.</summary>
    internal static void EnsureValid(LedgerEntry? previous, LedgerEntry next)
    {
        if (previous is not null && (previous.MaDonVi != next.MaDonVi || previous.MaHoSo != next.MaHoSo))
            throw new ArgumentException("An entry keeps its MaDonVi and MaHoSo", nameof(next));
        if (previous is not null && previous.ETag is null)
            throw new ArgumentException("The previous entry must come from the store", nameof(previous));
    }

    /// <summary>The entry's own row: added when new, replaced only over the version it was read at.</summary>
    private static TableTransactionAction EntryAction(string partition, LedgerEntry? previous, LedgerEntry next)
    {
        var entity = LedgerEntryMapping.ToEntity(partition, next);
        return previous is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(previous.ETag!));
    }

    private async Task SaveAgencyAsync(string maDonVi, List<int> indexes, IReadOnlyList<LedgerChange> changes, LedgerChangeResult?[] results, CancellationToken cancellationToken)
    {
        if (indexes.Any(i => changes[i].Previous is null)) await partitions.EnsureAsync(maDonVi, cancellationToken);

        // A transaction may name an entity once: a second change of one dossier waits for the first, and then
        // conflicts (its Previous is gone), which is what the caller must hear.
        var first = new List<int>();
        var repeats = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in indexes) (seen.Add(changes[i].Next.MaHoSo) ? first : repeats).Add(i);

        foreach (var chunk in first.Chunk(MaxEntriesPerTransaction))
            await SaveTogetherAsync(TableKeys.Escape(maDonVi), maDonVi, chunk.ToList(), changes, results, cancellationToken);
        foreach (var i in repeats) results[i] = await TrySaveOneAsync(changes[i], cancellationToken);
    }

    /// <summary>
    /// One transaction for several entries of a partition, their counts merged. An entry that moved on is dropped
    /// and the rest tried again; when the store does not say which action failed, each entry is saved on its own.
    /// </summary>
    private async Task SaveTogetherAsync(string partition, string maDonVi, List<int> chunk, IReadOnlyList<LedgerChange> changes,
        LedgerChangeResult?[] results, CancellationToken cancellationToken)
    {
        for (var attempt = 0; chunk.Count > 0; attempt++)
        {
            var actions = new List<TableTransactionAction>(chunk.Count * 3 + 4);
            actions.AddRange(chunk.Select(i => EntryAction(partition, changes[i].Previous, changes[i].Next)));
            foreach (var i in chunk) LedgerDerivedRows.AddIndexActions(partition, changes[i].Previous, changes[i].Next, actions);
            await derived.AddDayCountActionsAsync(partition, chunk.Select(i => (changes[i].Previous, changes[i].Next)), actions, cancellationToken);
            await scores.AddActionsAsync(partition, chunk.Select(i => (changes[i].Previous, (LedgerEntry?)changes[i].Next)), actions, cancellationToken);

            if (actions.Count > MaxActionsPerTransaction)
            {
                var half = chunk.Count / 2;
                await SaveTogetherAsync(partition, maDonVi, chunk[..half], changes, results, cancellationToken);
                await SaveTogetherAsync(partition, maDonVi, chunk[half..], changes, results, cancellationToken);
                return;
            }

            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken);
                for (var k = 0; k < chunk.Count; k++)
                    results[chunk[k]] = new LedgerChangeResult(changes[chunk[k]], changes[chunk[k]].Next with { ETag = response.Value[k].Headers.ETag?.ToString() });
                await mirror.CopyAsync(partition, maDonVi, LedgerDerivedRows.MonthsTouched(actions), cancellationToken);
                await scoreMirror.CopyAsync(partition, maDonVi, ScoreCounterRows.MonthsTouched(actions), cancellationToken);
                return;
            }
            catch (TableTransactionFailedException failure) when (LedgerConcurrency.IsConflict(failure.Status))
            {
                if (failure.FailedTransactionActionIndex is int failed && failed < chunk.Count)
                {
                    // That entry moved on; the others go again without it.
                    results[chunk[failed]] = new LedgerChangeResult(changes[chunk[failed]], null);
                    chunk.RemoveAt(failed);
                }
                else if (failure.FailedTransactionActionIndex is null || attempt >= LedgerConcurrency.MaxRetries)
                {
                    foreach (var i in chunk) results[i] = await TrySaveOneAsync(changes[i], cancellationToken);
                    return;
                }
                else
                {
                    // A count row changed under us (another writer of this agency): read the counts again.
                    await LedgerConcurrency.BackOffAsync(attempt, cancellationToken);
                }
            }
        }
    }
}
