using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;

namespace DvcSync.Simulators.Tests;

internal static class Sim
{
    /// <summary>The tests' "now": the scenario ends here and the simulators' clock starts here.</summary>
    public static readonly DateTimeOffset Now = new(2025, 11, 20, 10, 0, 0, TimeSpan.FromHours(7));

    public static async Task<(SimulatorHost Host, ManualClock Clock)> StartAsync(int dossiers = 300, Action<SimulatorOptions>? configure = null)
    {
        var clock = new ManualClock(Now);
        var options = new SimulatorOptions
        {
            Seed = 42,
            DossierCount = dossiers,
            TimeProvider = clock,
            PortalRateLimitPerSecond = 0,
        };
        configure?.Invoke(options);
        var host = await SimulatorHost.StartAsync(options);
        return (host, clock);
    }

    public static HttpClient Client(string baseUrl, TimeSpan? timeout = null) =>
        new() { BaseAddress = new Uri(baseUrl + "/"), Timeout = timeout ?? TimeSpan.FromSeconds(20) };

    public static string Str(JsonNode? node) => node is JsonValue v ? v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString() : "";
}

/// <summary>A bare-hands client of the portal contract.</summary>
internal sealed class Portal(SimulatorHost host, TimeSpan? timeout = null) : IDisposable
{
    public HttpClient Http { get; } = Sim.Client(host.PortalBaseUrl, timeout);

    public async Task<(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Response)> PostAsync(string path, JsonObject body, string? dstcode = "H19")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (dstcode is not null) request.Headers.Add("dstcode", dstcode);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null, response);
    }

    public async Task<string> SignInAsync()
    {
        var (status, body, _) = await PostAsync("auth", new JsonObject { ["username"] = "dvcsync", ["password"] = "dvcsync-demo" });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("0", Sim.Str(body!["error_code"]));
        return Sim.Str(body["session"]);
    }

    public async Task<JsonObject> ServiceAsync(string session, string service, JsonObject? extra = null)
    {
        var (status, body, _) = await PostAsync("service", Body(session, service, extra));
        Assert.Equal(HttpStatusCode.OK, status);
        return body!;
    }

    public static JsonObject Body(string session, string service, JsonObject? extra = null)
    {
        var o = new JsonObject { ["session"] = session, ["madonvi"] = "000.00.00.H19", ["service"] = service };
        if (extra is not null)
            foreach (var (k, v) in extra) o[k] = v?.DeepClone();
        return o;
    }

    public Task<JsonObject> SyncAsync(string session, bool isUpdating, params JsonObject[] dossiers) =>
        ServiceAsync(session, "DongBoHoSoMC", new JsonObject
        {
            ["isUpdating"] = isUpdating ? "True" : "False",
            ["data"] = new JsonArray(dossiers.Select(d => (JsonNode)d.DeepClone()).ToArray()),
        });

    public Task<JsonObject> LookupAsync(string session, string maHoSo) =>
        ServiceAsync(session, "TraCuuHoSo", new JsonObject { ["mahoso"] = maHoSo });

    public void Dispose() => Http.Dispose();
}

/// <summary>A bare-hands client of the provincial contract.</summary>
internal sealed class Provincial(SimulatorHost host) : IDisposable
{
    public HttpClient Http { get; } = Sim.Client(host.ProvincialBaseUrl);

    public async Task<HttpResponseMessage> TokenResponseAsync(string clientId = "dvcsync", string secret = "dvcsync-demo-secret", string grant = "client_credentials") =>
        await Http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = grant,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

    public async Task<string> TokenAsync()
    {
        using var response = await TokenResponseAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return Sim.Str(body["access_token"]);
    }

    public async Task<(HttpStatusCode Status, JsonObject? Body)> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null);
    }

    public static string Range(DateTimeOffset from, DateTimeOffset to) =>
        $"capNhatTu={Uri.EscapeDataString(from.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture))}" +
        $"&capNhatDen={Uri.EscapeDataString(to.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture))}";

    /// <summary>Reads every page of a range.</summary>
    public async Task<List<JsonObject>> ReadAllAsync(string token, DateTimeOffset from, DateTimeOffset to, int limit, Func<int, Task>? afterPage = null)
    {
        var all = new List<JsonObject>();
        string? cursor = null;
        var page = 0;
        do
        {
            var path = $"api/v1/hoso?{Range(from, to)}&limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var (status, body) = await GetAsync(path, token);
            Assert.Equal(HttpStatusCode.OK, status);
            all.AddRange(body!["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = body["nextCursor"] is JsonValue v ? v.GetValue<string>() : null;
            if (afterPage is not null) await afterPage(page);
            page++;
        } while (cursor is not null);
        return all;
    }

    public void Dispose() => Http.Dispose();
}
