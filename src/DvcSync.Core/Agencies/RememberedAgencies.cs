namespace DvcSync.Core.Agencies;

/// <summary>
/// The hierarchy a figure is computed over: today's list, plus the units it no longer names. After a reorganisation
/// the list drops the abolished districts and their wards while their dossiers stay (provincial-system.md,
/// Agencies); left out of the tree, those dossiers would drop out of the province's figure.
/// </summary>
public static class RememberedAgencies
{
    /// <param name="listed">Today's answer of the list.</param>
    /// <param name="remembered">Every agency an earlier answer named, as last named; those still listed are ignored.</param>
    /// <param name="withData">Agencies the ledger holds dossiers or counts for, named by no answer the project kept.</param>
    /// <returns>
    /// The tree of today's list, with each remembered unit under its remembered parent, and every unit whose line up
    /// to the province is lost (unknown parent, a cycle, an agency known only from the ledger) directly under the
    /// province, so that everything counts for the province.
    /// </returns>
    public static AgencyTree Build(IReadOnlyCollection<Agency> listed, IEnumerable<Agency> remembered, IEnumerable<string> withData)
    {
        var root = new AgencyTree(listed).Root;
        if (root is null) return new AgencyTree(listed);

        var all = new Dictionary<string, Agency>(StringComparer.Ordinal);
        foreach (var agency in listed) all[agency.MaDonVi] = agency;
        foreach (var agency in remembered) all.TryAdd(agency.MaDonVi, agency with { NoLongerListed = true });
        foreach (var code in withData) all.TryAdd(code, new Agency(code, code, "", root.MaDonVi) { NoLongerListed = true });

        while (true)
        {
            var tree = new AgencyTree(all.Values);
            var reachable = tree.Subtree(root.MaDonVi);
            var stray = all.Values.Where(a => !reachable.Contains(a.MaDonVi)).ToList();
            if (stray.Count == 0) return tree;
            // Re-hang only the top of each stray branch, so that a remembered district keeps its remembered wards.
            var tops = stray.Where(a => a.MaDonViCha is not { Length: > 0 } parent || !all.ContainsKey(parent) || parent == a.MaDonVi).ToList();
            if (tops.Count == 0) tops = [stray.MinBy(a => a.MaDonVi, StringComparer.Ordinal)!]; // a cycle: cut it once
            foreach (var top in tops) all[top.MaDonVi] = top with { MaDonViCha = root.MaDonVi };
        }
    }
}
