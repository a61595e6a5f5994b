using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// The part of JSON Schema that an OpenAPI 3.0 document of this API uses, checked against real answers: type (or a
/// type array), nullable, enum, required, properties, additionalProperties, items, $ref into the document, allOf,
/// format (date, date-time, int32, int64, double), minimum/maximum, minLength/maxLength and pattern.
/// <para>
/// Two choices make it a test of the document rather than a lenient reader. A keyword it does not know fails, so the
/// document cannot hold a constraint nobody checks. And it is <em>exact</em>: an object's property that the schema
/// does not declare fails unless the schema says <c>additionalProperties</c> — the published document lets clients
/// expect more fields later (sync-api.md), but it must name every field the code answers today.
/// </para>
/// </summary>
public sealed class SchemaValidator(JsonObject document)
{
    private static readonly HashSet<string> Annotations =
        ["description", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "externalDocs"];

    private static readonly HashSet<string> Keywords =
    [
        "$ref", "type", "nullable", "enum", "required", "properties", "additionalProperties", "items", "allOf", "format",
        "minimum", "maximum", "minLength", "maxLength", "pattern",
    ];

    private static readonly Regex DateTime = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant);

    /// <returns>Every way <paramref name="instance"/> breaks <paramref name="schema"/>, each with its JSON path; none when it fits.</returns>
    public IReadOnlyList<string> Validate(JsonNode? instance, JsonNode schema)
    {
        var errors = new List<string>();
        Check(instance, schema, "$", errors);
        return errors;
    }

    /// <summary>
    /// The keywords of a schema and of every schema inside it that this validator would not check, each with where it
    /// is: a document that uses none of them is checked in full by <see cref="Validate"/>.
    /// </summary>
    public static IEnumerable<string> UncheckedKeywords(JsonNode schema, string at)
    {
        if (schema is not JsonObject obj) yield break;
        foreach (var (keyword, value) in obj)
        {
            if (!Keywords.Contains(keyword) && !Annotations.Contains(keyword) && !keyword.StartsWith("x-", StringComparison.Ordinal))
                yield return $"{at}: {keyword}";
            IEnumerable<(JsonNode Node, string Where)> inner = keyword switch
            {
                "properties" => value!.AsObject().Select(p => (p.Value!, $"{at}.properties.{p.Key}")),
                "items" or "additionalProperties" => [(value!, $"{at}.{keyword}")],
                "allOf" => value!.AsArray().Select((v, i) => (v!, $"{at}.allOf[{i}]")),
                _ => [],
            };
            foreach (var (child, where) in inner)
                foreach (var problem in UncheckedKeywords(child, where))
                    yield return problem;
        }
    }

    /// <summary>Follows a local <c>$ref</c> (<c>#/components/...</c>) to the node it names.</summary>
    public JsonNode Resolve(JsonNode node)
    {
        var seen = 0;
        while (node is JsonObject o && o["$ref"] is JsonValue reference)
        {
            if (++seen > 20) throw new InvalidOperationException("a $ref cycle");
            var pointer = reference.GetValue<string>();
            if (!pointer.StartsWith("#/", StringComparison.Ordinal)) throw new NotSupportedException($"only local $ref is supported: {pointer}");
            JsonNode? target = document;
            foreach (var part in pointer[2..].Split('/'))
                target = target?[part.Replace("~1", "/").Replace("~0", "~")];
            node = target ?? throw new InvalidOperationException($"$ref {pointer} names nothing in the document");
        }
        return node;
    }

    private void Check(JsonNode? instance, JsonNode schemaNode, string at, List<string> errors)
    {
        var schema = Resolve(schemaNode).AsObject();
        foreach (var (keyword, _) in schema)
            if (!Keywords.Contains(keyword) && !Annotations.Contains(keyword) && !keyword.StartsWith("x-", StringComparison.Ordinal))
                throw new NotSupportedException($"schema keyword '{keyword}' at {at} is not checked by this validator: add it here, or leave it out of the document");

        foreach (var part in schema["allOf"]?.AsArray() ?? [])
            Check(instance, part!, at, errors);

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, instance)))
            errors.Add($"{at}: {Show(instance)} is not one of {allowed.ToJsonString()}");

        var types = schema["type"] switch
        {
            null => null,
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToList(),
            var one => [one.GetValue<string>()],
        };
        var nullable = schema["nullable"]?.GetValue<bool>() == true || types?.Contains("null") == true;
        if (instance is null)
        {
            if (!nullable && types is not null) errors.Add($"{at}: null, but the schema is not nullable");
            return;
        }

        if (types is not null && !types.Any(t => IsOfType(instance, t)))
        {
            errors.Add($"{at}: {Show(instance)} is not of type {string.Join(" or ", types)}");
            return;
        }

        switch (instance)
        {
            case JsonObject obj:
                CheckObject(obj, schema, at, errors);
                break;
            case JsonArray array when schema["items"] is { } items:
                for (var i = 0; i < array.Count; i++) Check(array[i], items, $"{at}[{i}]", errors);
                break;
            case JsonValue value:
                CheckValue(value, schema, at, errors);
                break;
        }
    }

    private void CheckObject(JsonObject obj, JsonObject schema, string at, List<string> errors)
    {
        var properties = schema["properties"]?.AsObject();
        foreach (var name in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
            if (!obj.ContainsKey(name)) errors.Add($"{at}: required property '{name}' is missing");

        foreach (var (name, value) in obj)
        {
            if (properties?[name] is { } propertySchema)
            {
                Check(value, propertySchema, $"{at}.{name}", errors);
                continue;
            }
            switch (schema["additionalProperties"])
            {
                case JsonValue flag when flag.GetValue<bool>():
                    break;
                case JsonObject additional:
                    Check(value, additional, $"{at}.{name}", errors);
                    break;
                default:
                    // Exact: a field the code answers must be in the document (absent additionalProperties included).
                    if (properties is not null || schema["additionalProperties"] is JsonValue)
                        errors.Add($"{at}: property '{name}' is not in the document");
                    break;
            }
        }
    }

    private static void CheckValue(JsonValue value, JsonObject schema, string at, List<string> errors)
    {
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            if (schema["minLength"] is { } min && text.Length < min.GetValue<int>()) errors.Add($"{at}: '{text}' is shorter than {min}");
            if (schema["maxLength"] is { } max && text.Length > max.GetValue<int>()) errors.Add($"{at}: a string of {text.Length} characters is longer than {max}");
            if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>(), RegexOptions.CultureInvariant))
                errors.Add($"{at}: '{text}' does not match {pattern}");
            switch (schema["format"]?.GetValue<string>())
            {
                case "date" when !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    errors.Add($"{at}: '{text}' is not a date (YYYY-MM-DD)");
                    break;
                case "date-time" when !DateTime.IsMatch(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _):
                    errors.Add($"{at}: '{text}' is not an RFC 3339 date-time");
                    break;
            }
            return;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<double>();
            if (schema["minimum"] is { } min && number < min.GetValue<double>()) errors.Add($"{at}: {number} is below the minimum {min}");
            if (schema["maximum"] is { } max && number > max.GetValue<double>()) errors.Add($"{at}: {number} is above the maximum {max}");
            switch (schema["format"]?.GetValue<string>())
            {
                case "int32" when !value.TryGetValue<int>(out _):
                    errors.Add($"{at}: {number} is not a 32-bit integer");
                    break;
                case "int64" when !value.TryGetValue<long>(out _):
                    errors.Add($"{at}: {number} is not a 64-bit integer");
                    break;
                case "double" when !double.IsFinite(number):
                    errors.Add($"{at}: {number} is not a finite number");
                    break;
            }
        }
    }

    private static bool IsOfType(JsonNode instance, string type) => type switch
    {
        "object" => instance is JsonObject,
        "array" => instance is JsonArray,
        "string" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => instance is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out _),
        "null" => false,
        _ => throw new NotSupportedException($"type '{type}'"),
    };

    private static string Show(JsonNode? node)
    {
        var text = node?.ToJsonString() ?? "null";
        return text.Length <= 60 ? text : text[..60] + "…";
    }
}
