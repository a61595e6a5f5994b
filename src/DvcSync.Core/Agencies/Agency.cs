namespace DvcSync.Core.Agencies;

/// <summary>An agency as the provincial system lists it. <c>Cap</c> is TINH, SO, HUYEN or XA, but nothing depends on it.</summary>
public sealed record Agency(string MaDonVi, string TenDonVi, string Cap, string? MaDonViCha)
{
    /// <summary>
    /// True for a unit today's list no longer names (abolished in a reorganisation) that the project remembers from an
    /// earlier answer of the list or from its own ledger: its dossiers still count (provincial-system.md, Agencies).
    /// </summary>
    public bool NoLongerListed { get; init; }
}

/// <summary>
/// The agency hierarchy, read from data. The number of levels is whatever the data says: the province, its
/// departments and communes today, the old districts in data from before 1 July 2025.
/// </summary>
public sealed class AgencyTree
{
    private readonly Dictionary<string, Agency> _byCode;
    private readonly Dictionary<string, List<Agency>> _children;

    public AgencyTree(IEnumerable<Agency> agencies)
    {
        _byCode = new Dictionary<string, Agency>(StringComparer.Ordinal);
        foreach (var agency in agencies) _byCode[agency.MaDonVi] = agency;

        _children = new Dictionary<string, List<Agency>>(StringComparer.Ordinal);
        foreach (var agency in _byCode.Values)
        {
            if (agency.MaDonViCha is not { Length: > 0 } parent || !_byCode.ContainsKey(parent) || parent == agency.MaDonVi) continue;
            if (!_children.TryGetValue(parent, out var list)) _children[parent] = list = [];
            list.Add(agency);
        }
        foreach (var list in _children.Values) list.Sort((a, b) => string.CompareOrdinal(a.MaDonVi, b.MaDonVi));

        var roots = _byCode.Values.Where(a => a.MaDonViCha is not { Length: > 0 } p || !_byCode.ContainsKey(p) || p == a.MaDonVi).ToList();
        Root = roots.FirstOrDefault(a => a.Cap == "TINH") ?? roots.OrderBy(a => a.MaDonVi, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>The province: the agency with no parent in the list (the TINH one if several).</summary>
    public Agency? Root { get; }

    public IReadOnlyCollection<Agency> All => _byCode.Values;

    public Agency? Find(string maDonVi) => _byCode.GetValueOrDefault(maDonVi);

    public IReadOnlyList<Agency> ChildrenOf(string maDonVi) =>
        _children.TryGetValue(maDonVi, out var list) ? list : [];

    /// <summary>The agency and every agency below it, however deep; safe against cycles in bad data.</summary>
    public IReadOnlySet<string> Subtree(string maDonVi)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (!_byCode.ContainsKey(maDonVi)) return result;
        var stack = new Stack<string>();
        stack.Push(maDonVi);
        while (stack.Count > 0)
        {
            var code = stack.Pop();
            if (!result.Add(code)) continue;
            foreach (var child in ChildrenOf(code)) stack.Push(child.MaDonVi);
        }
        return result;
    }
}
