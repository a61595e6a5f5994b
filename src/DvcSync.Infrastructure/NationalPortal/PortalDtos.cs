using DvcSync.Infrastructure.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DvcSync.Infrastructure.NationalPortal;

internal sealed class PortalSignInRequest
{
    [JsonPropertyName("username")] public required string Username { get; init; }

    [JsonPropertyName("password")] public required string Password { get; init; }

    public override string ToString() => $"PortalSignInRequest {{ Username = {Username}, Password = *** }}";
}

/// <summary>The body of every <c>/service</c> call; fields a service does not use stay out of the JSON.</summary>
internal sealed record PortalServiceRequest
{
    [JsonPropertyName("session")] public required string Session { get; init; }

    [JsonPropertyName("madonvi")] public required string MaDonVi { get; init; }

    [JsonPropertyName("service")] public required string Service { get; init; }

    /// <summary><c>"True"</c> or <c>"False"</c> — a string, as the portal wants it.</summary>
    [JsonPropertyName("isUpdating")] public string? IsUpdating { get; init; }

    /// <summary>Dossiers or steps, passed through whole: fields this project does not know reach the portal untouched.</summary>
    [JsonPropertyName("data")] public IReadOnlyList<JsonObject>? Data { get; init; }

    [JsonPropertyName("mahoso")] public string? MaHoSo { get; init; }

    [JsonPropertyName("maTTHC")] public string? MaTthc { get; init; }

    /// <summary>Names the service only: the session is a credential and the data holds personal data.</summary>
    public override string ToString() => $"PortalServiceRequest {{ Service = {Service} }}";
}

/// <summary>Every answer of the portal. Codes arrive as strings or numbers; both are read as text.</summary>
internal sealed class PortalReply
{
    [JsonPropertyName("error_code")]
    [JsonConverter(typeof(LenientStringConverter))]
    public string? ErrorCode { get; init; }

    [JsonPropertyName("message")]
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Message { get; init; }

    [JsonPropertyName("session")]
    [JsonConverter(typeof(LenientStringConverter))]
    public string? Session { get; init; }

    /// <summary>Per-dossier errors of a refused batch: <c>{"MaHoSo", "error_code", "message"}</c>.</summary>
    [JsonPropertyName("errors")] public JsonNode? Errors { get; init; }

    [JsonPropertyName("result")] public JsonNode? Result { get; init; }
}
