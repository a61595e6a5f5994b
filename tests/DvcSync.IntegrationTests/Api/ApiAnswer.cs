using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Api;

/// <summary>How a test presents its key.</summary>
public enum KeyUse
{
    None,
    ReadHeader,
    ReadQuery,
    AdminHeader,
    AdminQuery,
    WrongHeader,
    WrongQuery,
}

/// <summary>One real answer of the host, kept whole so that it can be checked against the document and for leaks.</summary>
public sealed record ApiAnswer(string Method, string PathAndQuery, HttpStatusCode Status, MediaTypeHeaderValue? ContentType, string Body)
{
    public const string WrongKey = "wrong-key-for-tests-0123456789";

    public JsonNode Json => JsonNode.Parse(Body)!;

    public override string ToString() => $"{Method} {PathAndQuery} → {(int)Status} {ContentType?.MediaType}: {(Body.Length <= 400 ? Body : Body[..400] + "…")}";

    public static async Task<ApiAnswer> SendAsync(HttpClient http, HttpMethod method, string pathAndQuery, KeyUse key = KeyUse.ReadHeader,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        var (value, inQuery) = key switch
        {
            KeyUse.None => (null, false),
            KeyUse.ReadHeader => (SyncEnvironment.ReadKey, false),
            KeyUse.ReadQuery => (SyncEnvironment.ReadKey, true),
            KeyUse.AdminHeader => (SyncEnvironment.AdminKey, false),
            KeyUse.AdminQuery => (SyncEnvironment.AdminKey, true),
            KeyUse.WrongHeader => (WrongKey, false),
            KeyUse.WrongQuery => (WrongKey, true),
            _ => throw new ArgumentOutOfRangeException(nameof(key)),
        };
        var target = inQuery ? pathAndQuery + (pathAndQuery.Contains('?') ? "&" : "?") + "code=" + Uri.EscapeDataString(value!) : pathAndQuery;
        using var request = new HttpRequestMessage(method, target);
        if (value is not null && !inQuery) request.Headers.Add("x-functions-key", value);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        foreach (var (name, text) in headers ?? new Dictionary<string, string>()) request.Headers.Add(name, text);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(method.Method, pathAndQuery, response.StatusCode, response.Content.Headers.ContentType, body);
    }

    public static Task<ApiAnswer> GetAsync(HttpClient http, string pathAndQuery, KeyUse key = KeyUse.ReadHeader,
        IReadOnlyDictionary<string, string>? headers = null) =>
        SendAsync(http, HttpMethod.Get, pathAndQuery, key, headers);

    public static Task<ApiAnswer> PostAsync(HttpClient http, string pathAndQuery, KeyUse key = KeyUse.AdminHeader) =>
        SendAsync(http, HttpMethod.Post, pathAndQuery, key);

    /// <summary>A problem+json answer of the given status, whose detail says what to fix (and mentions <paramref name="detailMentions"/>).</summary>
    public JsonObject AssertProblem(HttpStatusCode status, params string[] detailMentions)
    {
        Assert.True(Status == status, $"expected {(int)status}: {this}");
        Assert.True(ContentType?.MediaType == "application/problem+json", $"expected application/problem+json: {this}");
        var problem = Json.AsObject();
        Assert.Equal((int)status, problem["status"]?.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(problem["title"]?.GetValue<string>()), $"no title: {this}");
        var detail = problem["detail"]?.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(detail), $"no detail: {this}");
        foreach (var mention in detailMentions) Assert.True(detail!.Contains(mention, StringComparison.Ordinal), $"the detail does not mention {mention}: {this}");
        return problem;
    }

    public JsonObject AssertOk(HttpStatusCode status = HttpStatusCode.OK)
    {
        Assert.True(Status == status, $"expected {(int)status}: {this}");
        Assert.True(ContentType?.MediaType == "application/json", $"expected application/json: {this}");
        return Json.AsObject();
    }
}
