using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DvcSync.Simulators.Hosting;

/// <summary>JSON helpers: the simulators work on <see cref="JsonObject"/>s so unknown fields pass through.</summary>
public static class SimJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>A code or text as a string whether the JSON carries a string, a number or a boolean; null when absent.</summary>
    public static string? Str(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        return v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.Number => v.ToJsonString(),
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            _ => null,
        };
    }

    public static string? Str(JsonObject obj, string name) => obj.TryGetPropertyValue(name, out var n) ? Str(n) : null;

    /// <summary>Property lookup that ignores case (request parameters such as <c>mahoso</c> / <c>maTTHC</c>).</summary>
    public static JsonNode? GetIgnoreCase(JsonObject obj, string name)
    {
        if (obj.TryGetPropertyValue(name, out var exact)) return exact;
        foreach (var (key, value) in obj)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return value;
        return null;
    }

    public static bool IsBlank(string? s) => string.IsNullOrWhiteSpace(s);

    public static int? Int(JsonNode? node) =>
        int.TryParse(Str(node), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : null;

    public static string Serialize(JsonNode? node) => node is null ? "null" : node.ToJsonString(Options);

    public static async Task<JsonNode?> TryParseAsync(Stream body, CancellationToken ct)
    {
        try
        {
            return await JsonNode.ParseAsync(body, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A control route's body, when it is a JSON object; null otherwise (answer <see cref="NotAnObject"/>).</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext ctx) =>
        await TryParseAsync(ctx.Request.Body, ctx.RequestAborted).ConfigureAwait(false) as JsonObject;

    public static IResult NotAnObject() => Result(Error("Body must be a JSON object."), 400);

    public static async Task WriteAsync(HttpResponse response, int status, JsonNode? body, CancellationToken ct)
    {
        response.StatusCode = status;
        if (body is null) return;
        response.ContentType = "application/json; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(Serialize(body));
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
    }

    public static IResult Result(JsonNode body, int status = 200) =>
        Results.Text(Serialize(body), "application/json; charset=utf-8", Encoding.UTF8, status);

    public static JsonObject Error(string message) => new() { ["error"] = message };
}
