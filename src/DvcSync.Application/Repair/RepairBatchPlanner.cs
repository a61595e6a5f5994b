using DvcSync.Core.Ports;

namespace DvcSync.Application.Repair;

/// <summary>One <c>DongBoHoSoMC</c> call the planner wants made: these dossiers, as inserts or as updates.</summary>
public sealed record BatchCall(bool IsUpdating, IReadOnlyList<string> MaHoSo);

/// <summary>What the portal's writes came to for one dossier: its own result, and whether it was last sent as an update.</summary>
public sealed record DossierWriteOutcome(PortalWriteResult Result, bool WasUpdate);

/// <summary>
/// Plans the <c>DongBoHoSoMC</c> calls of a batch of repairs. The portal applies a call atomically and, on a refusal,
/// names every offending dossier in its <c>errors</c> list: a "-3" offender (already held) moves to the update calls,
/// a "-4" one (not held) to the insert calls, a "2"/"5" one gets its verdict, and the rest are sent again without them.
/// A refusal that names none of the call's dossiers cannot be pinned on one: each is then sent alone, and a call of
/// one dossier speaks for it. A failure of the whole call (transient, circuit open, configuration) is every
/// dossier's. At most two switches per dossier — a portal that contradicts itself would otherwise loop — after which
/// the wrong-mode answer counts as transient, as it always has for one dossier.
/// </summary>
public sealed class RepairBatchPlanner
{
    private sealed class Item(string maHoSo, bool isUpdating)
    {
        public string MaHoSo { get; } = maHoSo;
        public bool IsUpdating { get; set; } = isUpdating;
        public int Switches { get; set; }
        public bool Alone { get; set; }
    }

    private readonly List<Item> _pending;
    private readonly Dictionary<string, DossierWriteOutcome> _outcomes = new(StringComparer.Ordinal);
    private readonly int _batchSize;

    /// <param name="dossiers">Each dossier once, with whether the portal is taken to hold it (then it is sent as an update).</param>
    public RepairBatchPlanner(IEnumerable<(string MaHoSo, bool PortalHolds)> dossiers, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, PortalServices.MaxDossiersPerBatch);
        _batchSize = batchSize;
        _pending = dossiers.Select(d => new Item(d.MaHoSo, d.PortalHolds)).ToList();
    }

    public IReadOnlyDictionary<string, DossierWriteOutcome> Outcomes => _outcomes;

    /// <summary>The next call to make, or null when every dossier has its outcome.</summary>
    public BatchCall? Next()
    {
        if (_pending.Count == 0) return null;
        var first = _pending[0];
        if (first.Alone) return new BatchCall(first.IsUpdating, [first.MaHoSo]);
        var codes = _pending.Where(i => !i.Alone && i.IsUpdating == first.IsUpdating).Take(_batchSize).Select(i => i.MaHoSo).ToList();
        return new BatchCall(first.IsUpdating, codes);
    }

    /// <summary>Takes the portal's answer to <paramref name="call"/>.</summary>
    public void Record(BatchCall call, PortalWriteResult result)
    {
        var inCall = _pending.Where(i => call.MaHoSo.Contains(i.MaHoSo, StringComparer.Ordinal)).ToList();
        switch (result.Kind)
        {
            case PortalOutcomeKind.Accepted:
                foreach (var item in inCall) Conclude(item, PortalWriteResult.Success);
                return;
            case PortalOutcomeKind.Transient or PortalOutcomeKind.CircuitOpen or PortalOutcomeKind.ConfigurationError:
                foreach (var item in inCall) Conclude(item, result);
                return;
        }

        var named = result.Errors.Where(e => inCall.Any(i => i.MaHoSo == e.MaHoSo)).GroupBy(e => e.MaHoSo, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        if (named.Count == 0)
        {
            if (inCall.Count == 1)
            {
                Offender(inCall[0], new PortalItemError(inCall[0].MaHoSo, result.Kind, result.Message), result);
                return;
            }
            foreach (var item in inCall) item.Alone = true;
            return;
        }
        foreach (var item in inCall)
            if (named.TryGetValue(item.MaHoSo, out var error)) Offender(item, error, result);
        // The rest were refused only because the call was atomic: they go again, without the offenders.
    }

    private void Offender(Item item, PortalItemError error, PortalWriteResult call)
    {
        var wrongMode = error.Kind == PortalOutcomeKind.AlreadyExists && !item.IsUpdating || error.Kind == PortalOutcomeKind.NotFound && item.IsUpdating;
        var own = new PortalWriteResult(error.Kind, error.Message, [error], call.RetryAfter) { Summary = $"refused ({error.Kind})" };
        if (!wrongMode)
        {
            Conclude(item, own);
            return;
        }
        if (item.Switches >= 2)
        {
            Conclude(item, own with { Kind = PortalOutcomeKind.Transient });
            return;
        }
        item.Switches++;
        item.IsUpdating = !item.IsUpdating;
        // Moved to the back, so the calls of the other mode go first and the movers are grouped again.
        _pending.Remove(item);
        _pending.Add(item);
    }

    private void Conclude(Item item, PortalWriteResult result)
    {
        _pending.Remove(item);
        _outcomes[item.MaHoSo] = new DossierWriteOutcome(result, item.IsUpdating);
    }
}
