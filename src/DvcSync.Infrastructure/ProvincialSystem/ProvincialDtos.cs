using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Refit;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary><c>{"items": [...], "nextCursor": ...}</c>; items stay raw JSON so no dossier can fail the page.</summary>
internal sealed class ProvincialItemsReply
{
    [JsonPropertyName("items")] public JsonNode? Items { get; init; }

    [JsonPropertyName("nextCursor")]
    [JsonConverter(typeof(ProvincialLenientStringConverter))]
    public string? NextCursor { get; init; }
}

internal sealed class ProvincialTokenReply
{
    [JsonPropertyName("access_token")]
    [JsonConverter(typeof(ProvincialLenientStringConverter))]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    [JsonConverter(typeof(ProvincialLenientStringConverter))]
    public string? TokenType { get; init; }

    [JsonPropertyName("expires_in")]
    [JsonConverter(typeof(ProvincialLenientStringConverter))]
    public string? ExpiresIn { get; init; }

    public override string ToString() => $"ProvincialTokenReply {{ TokenType = {TokenType}, ExpiresIn = {ExpiresIn} }}";
}

internal static class ProvincialJson
{
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static RefitSettings CreateRefitSettings() => new(new SystemTextJsonContentSerializer(CreateOptions()));
}

/// <summary>Reads a JSON string, number or boolean as its text; anything else as null.</summary>
internal sealed class ProvincialLenientStringConverter : JsonConverter<string?>
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
