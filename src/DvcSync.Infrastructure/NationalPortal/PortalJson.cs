using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Refit;

namespace DvcSync.Infrastructure.NationalPortal;

internal static class PortalJson
{
    /// <summary>
    /// Web defaults (case-insensitive reading), nulls left out of requests, Vietnamese text written as UTF-8 rather
    /// than \u escapes. Dossiers travel as <c>JsonObject</c>, so every field — known or not — is written as received.
    /// </summary>
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static RefitSettings CreateRefitSettings() => new(new SystemTextJsonContentSerializer(CreateOptions()))
    {
        // A Content-Length rather than a chunked body: the portal's adapter is old software behind old proxies.
        Buffered = true,
    };
}

/// <summary>Reads a JSON string, number or boolean as its text; anything else as null. Never throws on shape.</summary>
internal sealed class LenientStringConverter : JsonConverter<string?>
{
    public override bool HandleNull => true;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var integer)
                    ? integer.ToString(CultureInfo.InvariantCulture)
                    : System.Text.Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                reader.Skip();
                return null;
            default:
                return null;
        }
    }

    public override void Write(Utf8JsonWriter writer, string? value, JsonSerializerOptions options)
    {
        if (value is null) writer.WriteNullValue();
        else writer.WriteStringValue(value);
    }
}
