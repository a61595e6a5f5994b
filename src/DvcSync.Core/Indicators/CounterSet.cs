using System.Collections;

namespace DvcSync.Core.Indicators;

/// <summary>
/// Named counts of one scorecard row (an agency, an axis, a side and a day or month). A name that counts nothing is
/// not kept, so a row stores only what happened and two sets are equal when they count the same things.
/// </summary>
public sealed class CounterSet : IReadOnlyDictionary<string, long>
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>> _byName;

    public CounterSet() => _byName = _counts.GetAlternateLookup<ReadOnlySpan<char>>();

    public CounterSet(IEnumerable<KeyValuePair<string, long>> counts)
        : this()
    {
        foreach (var (name, count) in counts) Add(name, count);
    }

    /// <summary>The count of a name; 0 for a name never counted.</summary>
    public long this[string name] => _counts.GetValueOrDefault(name);

    public int Count => _counts.Count;
    public IEnumerable<string> Keys => _counts.Keys;
    public IEnumerable<long> Values => _counts.Values;

    public CounterSet Add(string name, long delta)
    {
        if (delta == 0) return this;
        var total = _counts.GetValueOrDefault(name) + delta;
        if (total == 0) _counts.Remove(name);
        else _counts[name] = total;
        return this;
    }

    /// <summary>
    /// The same as <see cref="Add(string, long)"/> for a name still in a reader's buffer: a name already counted is
    /// found without allocating a string, which is most of the names a query sums across an agency's months.
    /// </summary>
    public CounterSet Add(ReadOnlySpan<char> name, long delta)
    {
        if (delta == 0) return this;
        if (!_byName.TryGetValue(name, out var current)) _byName[name] = delta;
        else if (current + delta == 0) _byName.Remove(name);
        else _byName[name] = current + delta;
        return this;
    }

    public CounterSet Add(CounterSet other)
    {
        foreach (var (name, count) in other._counts) Add(name, count);
        return this;
    }

    public CounterSet Subtract(CounterSet other)
    {
        foreach (var (name, count) in other._counts) Add(name, -count);
        return this;
    }

    public CounterSet Copy() => new CounterSet().Add(this);

    public static CounterSet Sum(IEnumerable<CounterSet> sets)
    {
        var total = new CounterSet();
        foreach (var set in sets) total.Add(set);
        return total;
    }

    public bool ContainsKey(string key) => _counts.ContainsKey(key);

    public bool TryGetValue(string key, out long value) => _counts.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator() => _counts.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
}
