using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DvcSync.Infrastructure.Json;
using Refit;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary><c>{"items": [...], "nextCursor": ...}</c>; items stay raw JSON so no dossier can fail the page.</summary>
internal sealed class ProvincialItemsReply
{
    [JsonPropertyName("items")] public JsonNode? Items { get; init; }

    [JsonPropertyName("nextCursor")]
    [JsonConverter(typeof(LenientStringConverter))]
    public string? NextCursor { get; init; }
}

internal sealed class ProvincialTokenReply
{
    [JsonPropertyName("access_token")]
    [JsonConverter(typeof(LenientStringConverter))]
    public string? AccessToken { get; init; }

    [JsonPropertyName("token_type")]
    [JsonConverter(typeof(LenientStringConverter))]
    public string? TokenType { get; init; }

    [JsonPropertyName("expires_in")]
    [JsonConverter(typeof(LenientStringConverter))]
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
