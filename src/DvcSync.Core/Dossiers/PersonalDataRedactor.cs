using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DvcSync.Core.Dossiers;

/// <summary>
/// Removes citizens' personal data from a free text the portal wrote (<c>message</c>, <c>errors[].message</c>), keeping
/// the rest of its words: a portal adapter may quote the applicant there, and those words become a ledger entry's
/// <c>lastError</c>, a log line and an API answer. Whoever holds the dossier names its personal values
/// (<see cref="Dossier.PersonalDataFields"/>), which are removed wherever they appear — names whatever their case and
/// diacritics (the portal may write NGUYEN VAN A for Nguyễn Văn A), numbers whatever their separators — and anything
/// shaped like an ID number (9 or 12 digits), a Vietnamese phone number or an e-mail address is removed in every case.
/// MaHoSo, MaTTHC, dates and error codes are shaped otherwise and survive.
/// </summary>
public sealed partial class PersonalDataRedactor
{
    public const string Mask = "***";

    /// <summary>Values shorter than this are left alone: they identify nobody and would damage unrelated words.</summary>
    private const int MinimumValueLength = 4;

    /// <summary>For a text whose dossier is unknown: the shapes only.</summary>
    public static PersonalDataRedactor ShapesOnly { get; } = new([], []);

    private readonly IReadOnlyList<Regex> _words;
    private readonly IReadOnlyList<Regex> _numbers;

    private PersonalDataRedactor(IReadOnlyList<Regex> words, IReadOnlyList<Regex> numbers)
    {
        _words = words;
        _numbers = numbers;
    }

    public static PersonalDataRedactor For(Dossier dossier) => For([dossier.Fields]);

    /// <summary>The personal values of every dossier given (a write's payload, a look-up's copy), and the shapes.</summary>
    public static PersonalDataRedactor For(IEnumerable<JsonObject?> dossiers)
    {
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dossier in dossiers)
        {
            if (dossier is null) continue;
            foreach (var (name, node) in dossier)
                if (node is not null && Dossier.PersonalDataFields.Contains(name, StringComparer.OrdinalIgnoreCase)) Collect(node, values);
        }
        if (values.Count == 0) return ShapesOnly;

        var words = new List<Regex>();
        var numbers = new List<Regex>();
        foreach (var value in values)
        {
            if (value.Any(char.IsLetter))
            {
                var tokens = Fold(value).Folded.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape);
                words.Add(new Regex($@"(?<![\p{{L}}\p{{N}}]){string.Join(@"\s+", tokens)}(?![\p{{L}}\p{{N}}])", RegexOptions.CultureInvariant));
            }
            else if (value.Count(char.IsDigit) is var digits && digits >= 6)
            {
                numbers.Add(new Regex($@"(?<!\d){string.Join(@"[\s.\-]?", value.Where(char.IsDigit))}(?!\d)", RegexOptions.CultureInvariant));
            }
        }
        return new PersonalDataRedactor(words, numbers);
    }

    /// <returns>The text with every personal value and every personal-looking shape replaced by <see cref="Mask"/>.</returns>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var spans = new List<(int Start, int End)>();
        if (_words.Count > 0)
        {
            var (folded, origin) = Fold(text);
            foreach (var word in _words)
                foreach (Match match in word.Matches(folded))
                {
                    if (match.Length == 0) continue;
                    var end = origin[match.Index + match.Length - 1] + 1;
                    // A decomposed letter's accents follow it: they go with it.
                    while (end < text.Length && CharUnicodeInfo.GetUnicodeCategory(text[end]) == UnicodeCategory.NonSpacingMark) end++;
                    spans.Add((origin[match.Index], end));
                }
        }
        foreach (var pattern in _numbers.Concat(Shapes))
            foreach (Match match in pattern.Matches(text))
                spans.Add((match.Index, match.Index + match.Length));
        if (spans.Count == 0) return text;

        var result = new StringBuilder(text.Length);
        var at = 0;
        foreach (var (start, end) in Merge(spans))
        {
            result.Append(text, at, start - at).Append(Mask);
            at = end;
        }
        return result.Append(text, at, text.Length - at).ToString();
    }

    private static readonly Regex[] Shapes = [Email(), Phone(), IdNumber()];

    [GeneratedRegex(@"[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    /// <summary>
    /// 0 and 9 or 10 more digits (mobile, landline), or +84 / 0084 and 9 or 10 digits; separators allowed. Not followed
    /// by ':' — "05.01.2025 09:30" is a date and a time.
    /// </summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}+])(?:(?:\+|00)84[\s.\-]?(?:\(0\)[\s.\-]?)?|0)\d(?:[\s.\-]?\d){8,9}(?![\d:])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();

    /// <summary>A 12-digit citizen ID or a 9-digit old ID, as a run of digits of exactly that length.</summary>
    [GeneratedRegex(@"(?<!\d)(?:\d{12}|\d{9})(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex IdNumber();

    private static void Collect(JsonNode node, HashSet<string> into)
    {
        switch (node)
        {
            case JsonValue value when value.GetValueKind() is JsonValueKind.String or JsonValueKind.Number:
                var text = value.ToString().Trim();
                if (text.Length >= MinimumValueLength) into.Add(text);
                break;
            case JsonArray array:
                foreach (var item in array) if (item is not null) Collect(item, into);
                break;
            case JsonObject obj:
                foreach (var (_, item) in obj) if (item is not null) Collect(item, into);
                break;
        }
    }

    /// <summary>
    /// Upper case without diacritics (đ as D), one folded character per base character of the text, with the index of
    /// the character each came from; combining accents fold to nothing.
    /// </summary>
    private static (string Folded, int[] Origin) Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is 'đ' or 'Đ' || char.IsSurrogate(c))
            {
                folded.Append(c is 'đ' or 'Đ' ? 'D' : c);
                origin.Add(i);
                continue;
            }
            foreach (var part in c.ToString().Normalize(NormalizationForm.FormD))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(part) == UnicodeCategory.NonSpacingMark) continue;
                folded.Append(char.ToUpperInvariant(part));
                origin.Add(i);
            }
        }
        return (folded.ToString(), origin.ToArray());
    }

    private static IEnumerable<(int Start, int End)> Merge(List<(int Start, int End)> spans)
    {
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var (start, end) = spans[0];
        foreach (var (s, e) in spans.Skip(1))
        {
            if (s <= end)
            {
                end = Math.Max(end, e);
                continue;
            }
            yield return (start, end);
            (start, end) = (s, e);
        }
        yield return (start, end);
    }
}
