using System.Globalization;
using System.Text;

namespace DvcSync.Benchmarks.Scale;

/// <summary>A plain table for the console: a header row, then rows, columns padded to their widest cell.</summary>
internal sealed class TextTable(params string[] header)
{
    private readonly List<string[]> _rows = [header];

    public TextTable Row(params object?[] cells)
    {
        _rows.Add(cells.Select(Format).ToArray());
        return this;
    }

    public static string Format(object? cell) => cell switch
    {
        null => "—",
        double d when double.IsNaN(d) => "—",
        double d => d.ToString(Math.Abs(d) >= 100 ? "N0" : Math.Abs(d) >= 10 ? "N1" : "N2", CultureInfo.InvariantCulture),
        long or int => string.Format(CultureInfo.InvariantCulture, "{0:N0}", cell),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };

    public override string ToString()
    {
        var columns = _rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => _rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < _rows.Count; i++)
        {
            var row = _rows[i];
            text.Append("  ");
            for (var c = 0; c < columns; c++)
            {
                var cell = c < row.Length ? row[c] : "";
                text.Append(c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])).Append(c < columns - 1 ? "   " : "");
            }
            text.AppendLine();
            if (i == 0) text.Append("  ").AppendLine(new string('─', widths.Sum() + 3 * (columns - 1)));
        }
        return text.ToString();
    }

    /// <summary>Prints the table, and adds it to <paramref name="report"/> as Markdown.</summary>
    public void Print(Report? report = null)
    {
        Console.Write(ToString());
        report?.Add(ToMarkdown());
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var columns = _rows.Max(r => r.Length);
        for (var i = 0; i < _rows.Count; i++)
        {
            var row = _rows[i];
            text.Append("| ").AppendJoin(" | ", Enumerable.Range(0, columns).Select(c => c < row.Length ? row[c].Trim().Replace("|", "\\|", StringComparison.Ordinal) : "")).AppendLine(" |");
            if (i == 0) text.Append('|').AppendJoin('|', Enumerable.Range(0, columns).Select(c => c == 0 ? "---" : "---:")).AppendLine("|");
        }
        return text.ToString();
    }
}

/// <summary>The figures of a run in Markdown, written to <c>artifacts/bench/</c> for the record in docs/benchmarks.md.</summary>
internal sealed class Report
{
    private readonly StringBuilder _text = new();

    public void Add(string markdown) => _text.AppendLine(markdown);

    public void Line(string line) => _text.AppendLine(line).AppendLine();

    public string Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, _text.ToString());
        return path;
    }
}
