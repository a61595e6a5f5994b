using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace DvcSync.IntegrationTests.Api;

/// <summary>One operation of the document: its path template (e.g. <c>/api/dossiers/{maHoSo}/resync</c>) and method.</summary>
public sealed record OpenApiOperation(string Path, string Method, JsonObject Node)
{
    public string OperationId => Node["operationId"]!.GetValue<string>();

    /// <summary>The path with every parameter written <c>{}</c>, for comparing routes whatever their parameters are called.</summary>
    public string Shape => OpenApiSpec.ShapeOf(Path);
}

/// <summary>The API's OpenAPI document as the host serves it, and the check of a real answer against it.</summary>
public sealed class OpenApiSpec
{
    public static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private OpenApiSpec(JsonObject document)
    {
        Document = document;
        Validator = new SchemaValidator(document);
        Operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(m => Methods.Contains(m.Key))
                .Select(m => new OpenApiOperation(p.Key, m.Key.ToUpperInvariant(), m.Value!.AsObject())))
            .ToList();
    }

    public JsonObject Document { get; }
    public SchemaValidator Validator { get; }
    public IReadOnlyList<OpenApiOperation> Operations { get; }

    public static async Task<OpenApiSpec> FetchAsync(HttpClient http)
    {
        // Anonymous on purpose: no key is sent.
        using var response = await http.GetAsync("/api/openapi.json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/openapi.json answered {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return new OpenApiSpec(JsonNode.Parse(text)!.AsObject());
    }

    public static string ShapeOf(string path) =>
        string.Join('/', path.Split('/').Select(s => s.StartsWith('{') && s.EndsWith('}') ? "{}" : s));

    public OpenApiOperation Operation(string operationId) => Operations.Single(o => o.OperationId == operationId);

    /// <summary>The operation a concrete request path and method fall on, or null.</summary>
    public OpenApiOperation? Match(string method, string path)
    {
        var segments = path.Split('/');
        return Operations.SingleOrDefault(o =>
        {
            if (!string.Equals(o.Method, method, StringComparison.OrdinalIgnoreCase)) return false;
            var template = o.Path.Split('/');
            return template.Length == segments.Length
                && template.Zip(segments).All(t => (t.First.StartsWith('{') && t.First.EndsWith('}') && t.Second.Length > 0) || t.First == t.Second);
        });
    }

    /// <summary>The security requirements that apply to an operation: its own, or the document's.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Security(OpenApiOperation operation) =>
        ((operation.Node["security"] ?? Document["security"])?.AsArray() ?? [])
        .Select(r => (IReadOnlyList<string>)r!.AsObject().Select(kv => kv.Key).ToList()).ToList();

    public JsonObject SecurityScheme(string name) => Document["components"]!["securitySchemes"]![name]!.AsObject();

    /// <summary>The response that documents a status, as OpenAPI picks it: the code itself, else its range (<c>4XX</c>), else <c>default</c>.</summary>
    public static string? ResponseKey(OpenApiOperation operation, int status)
    {
        var responses = operation.Node["responses"]!.AsObject();
        return new[] { status.ToString(), $"{status / 100}XX", "default" }.FirstOrDefault(responses.ContainsKey);
    }

    /// <summary>
    /// Every way a real answer breaks the document: an undocumented status or media type, or a body that does not fit
    /// the schema of that status and media type. Empty when it fits.
    /// </summary>
    public IReadOnlyList<string> Check(string method, string pathAndQuery, int status, MediaTypeHeaderValue? contentType, string body)
    {
        var path = pathAndQuery.Split('?')[0];
        var where = $"{method} {path} → {status}";
        var operation = Match(method, path);
        if (operation is null) return [$"{where}: no operation of the document matches"];

        if (ResponseKey(operation, status) is not { } key) return [$"{where}: the status is not documented for {operation.OperationId}"];
        var response = Validator.Resolve(operation.Node["responses"]![key]!).AsObject();

        var content = response["content"]?.AsObject();
        if (content is null)
            return body.Length == 0 ? [] : [$"{where}: the document says no body, but one came"];
        var mediaType = contentType?.MediaType;
        if (mediaType is null || content[mediaType] is not JsonObject media)
            return [$"{where}: media type '{mediaType}' is not documented (documented: {string.Join(", ", content.Select(c => c.Key))})"];
        if (media["schema"] is not { } schema) return [];

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException e)
        {
            return [$"{where}: the body is not JSON ({e.Message})"];
        }
        return Validator.Validate(instance, schema).Select(e => $"{where}: {e}").ToList();
    }
}
