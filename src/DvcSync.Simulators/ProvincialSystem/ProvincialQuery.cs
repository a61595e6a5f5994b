using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>How the provincial API reads its query: instants with an offset, and its opaque keyset cursor.</summary>
internal static partial class ProvincialQuery
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex IsoWithOffset();

    /// <summary>ISO 8601 with an offset (a '+' that arrived unencoded, as a space, is read as '+').</summary>
    internal static bool TryParseInstant(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length > 6 && text[^6] == ' ') text = string.Concat(text.AsSpan(0, text.Length - 6), "+", text.AsSpan(text.Length - 5));
        else if (text.Length > 5 && text[^5] == ' ') text = string.Concat(text.AsSpan(0, text.Length - 5), "+", text.AsSpan(text.Length - 4));
        if (!IsoWithOffset().IsMatch(text)) return false;
        if (text[^5] is '+' or '-' && char.IsDigit(text[^4]) && text[^3] != ':')
            text = string.Concat(text.AsSpan(0, text.Length - 2), ":", text.AsSpan(text.Length - 2));
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    internal static string EncodeCursor(PageKey key)
    {
        var json = new JsonObject { ["t"] = key.Seconds, ["k"] = key.MaHoSo }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    internal static bool TryDecodeCursor(string text, out PageKey key)
    {
        key = default;
        try
        {
            var b64 = text.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            if (JsonNode.Parse(Convert.FromBase64String(b64)) is not JsonObject o) return false;
            if (o["t"] is not JsonValue t || !t.TryGetValue<long>(out var seconds)) return false;
            if (SimJson.Str(o, "k") is not { } k) return false;
            key = new PageKey(seconds, k);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }
}
