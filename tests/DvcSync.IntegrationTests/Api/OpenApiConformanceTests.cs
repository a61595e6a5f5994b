using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DvcSync.IntegrationTests.EndToEnd;
using DvcSync.Core.Ports;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators.Seeding;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// The OpenAPI document that both hosts serve at <c>/api/openapi.json</c>, held against the running standalone host:
/// every route it maps is in the document and every documented route is mapped (and likewise for the Functions app's
/// HTTP functions, with their key levels), and real answers of every route — 200s, a 202, 400/401/404 problem+json, the web server's 431 —
/// fit the document's schemas exactly.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiConformanceTests(ReconciledProvinceFixture fixture)
{
    /// <summary>Routes the hosts map that are not part of the HTTP API of sync-api.md (the dashboard's static files).</summary>
    private static readonly string[] NotTheApi = ["/api/dashboard/{}"];

    /// <summary>The documented answers that need an outage to produce; <see cref="ResyncQueueAndOutageTests"/> produces the 503 problems.</summary>
    private static readonly (string OperationId, string Status)[] ProducedElsewhere =
    [
        ("getSyncRate", "503"), ("getScorecard", "503"), ("getUnsyncedDossiers", "503"), ("resyncDossier", "503"), ("requestAudit", "503"),
        // Unhealthy needs the storage gone or reconciliation stalled for an hour; the body is the 200's schema.
        ("getHealth", "503"),
    ];

    private static readonly Regex DateTimeText = new(@"^\d{4}-\d{2}-\d{2}T", RegexOptions.CultureInvariant);

    private readonly SyncEnvironment _env = fixture.Env;

    private GroundTruth Truth => _env.Simulators.Truth;

    [Fact]
    public async Task The_document_is_OpenAPI_3_with_every_route_of_the_contract_and_only_schemas_the_tests_check_in_full()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        Assert.StartsWith("3.", spec.Document["openapi"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(spec.Document["info"]?["title"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(spec.Document["info"]?["version"]?.GetValue<string>()));

        Assert.Equal(
            new[]
            {
                "DELETE /api/audits/current", "GET /api/audits/current", "GET /api/dossiers/unsynced", "GET /api/health", "GET /api/health/live",
                "GET /api/indicators/scorecard", "GET /api/indicators/sync-rate", "GET /api/openapi.json", "POST /api/audits", "POST /api/dossiers/{}/resync",
            },
            spec.Operations.Select(o => $"{o.Method} {o.Shape}").Order(StringComparer.Ordinal));
        Assert.Equal(spec.Operations.Count, spec.Operations.Select(o => o.OperationId).Distinct().Count());

        // Every $ref resolves, and no schema holds a keyword the validator would pass over.
        var problems = new List<string>();
        foreach (var reference in Descendants(spec.Document).OfType<JsonObject>().Where(o => o.ContainsKey("$ref")))
        {
            try
            {
                spec.Validator.Resolve(reference);
            }
            catch (InvalidOperationException e)
            {
                problems.Add(e.Message);
            }
        }
        foreach (var (name, schema) in spec.Document["components"]!["schemas"]!.AsObject())
            problems.AddRange(SchemaValidator.UncheckedKeywords(schema!, $"#/components/schemas/{name}"));
        foreach (var operation in spec.Operations)
            foreach (var parameter in operation.Node["parameters"]?.AsArray() ?? [])
                problems.AddRange(SchemaValidator.UncheckedKeywords(spec.Validator.Resolve(parameter!)["schema"]!, $"{operation.OperationId} parameter"));
        Assert.Empty(problems);

        // The parameters of the contract, with their formats and bounds.
        var syncRate = Parameters(spec, "getSyncRate");
        Assert.Equal(["agency", "from", "to"], syncRate.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("date", syncRate["from"]["schema"]!["format"]!.GetValue<string>());
        Assert.True(syncRate["from"]["required"]!.GetValue<bool>());
        Assert.True(syncRate["to"]["required"]!.GetValue<bool>());
        Assert.Equal(["agency", "from", "to"], Parameters(spec, "getScorecard").Keys.Order(StringComparer.Ordinal));
        var unsynced = Parameters(spec, "getUnsyncedDossiers");
        Assert.Equal(["agency", "cursor", "from", "limit", "to"], unsynced.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, unsynced["limit"]["schema"]!["minimum"]!.GetValue<int>());
        Assert.Equal(500, unsynced["limit"]["schema"]!["maximum"]!.GetValue<int>());
        Assert.Equal(100, unsynced["limit"]["schema"]!["default"]!.GetValue<int>());
        var resync = Parameters(spec, "resyncDossier");
        Assert.Equal(64, syncRate["agency"]["schema"]!["maxLength"]!.GetValue<int>());
        Assert.Equal(64, unsynced["agency"]["schema"]!["maxLength"]!.GetValue<int>());
        Assert.Equal("path", resync["maHoSo"]["in"]!.GetValue<string>());
        Assert.Equal(100, resync["maHoSo"]["schema"]!["maxLength"]!.GetValue<int>());
        var audit = Parameters(spec, "requestAudit");
        Assert.Equal(["agency", "from", "to"], audit.Keys.Order(StringComparer.Ordinal));
        Assert.True(audit["from"]["required"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Every_route_the_standalone_host_maps_is_in_the_document_and_every_documented_route_is_mapped()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        var mapped = _env.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => $"{m} {OpenApiSpec.ShapeOf("/" + e.RoutePattern.RawText!.TrimStart('/'))}"))
            .Where(r => !NotTheApi.Any(n => r.EndsWith(" " + n, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
        var documented = spec.Operations.Select(o => $"{o.Method} {o.Shape}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(documented, mapped);
    }

    [Fact]
    public async Task Every_http_function_is_in_the_document_with_its_key_level_and_every_documented_route_is_a_function()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        var functions = FunctionsMetadata()
            .Where(f => !NotTheApi.Contains(OpenApiSpec.ShapeOf("/api/" + f.Route)))
            .ToList();

        Assert.Equal(
            spec.Operations.Select(o => $"{o.Method} {o.Shape}").Order(StringComparer.Ordinal),
            functions.SelectMany(f => f.Methods.Select(m => $"{m.ToUpperInvariant()} {OpenApiSpec.ShapeOf("/api/" + f.Route)}")).Order(StringComparer.Ordinal));

        foreach (var function in functions)
        {
            var operation = spec.Match(function.Methods[0], "/api/" + function.Route)!;
            var schemes = spec.Security(operation).SelectMany(r => r).Order(StringComparer.Ordinal).ToList();
            List<string> expected = function.AuthLevel switch
            {
                "Anonymous" => [],
                // Every route is function level on Azure (no route needs the master key); a write takes the key named
                // on its own function, which the document calls a write key.
                "Function" when function.Methods.All(m => m.Equals("get", StringComparison.OrdinalIgnoreCase)) => ["functionKey", "functionKeyQuery"],
                "Function" => ["writeKey", "writeKeyQuery"],
                var other => throw new InvalidOperationException($"{function.Name}: auth level {other}"),
            };
            Assert.True(expected.SequenceEqual(schemes), $"{function.Name} ({function.AuthLevel}) is documented with [{string.Join(", ", schemes)}]");
            // A key is the x-functions-key header or the code query parameter, as the Functions host reads it.
            foreach (var scheme in schemes.Select(spec.SecurityScheme))
            {
                Assert.Equal("apiKey", scheme["type"]!.GetValue<string>());
                Assert.Contains($"{scheme["in"]!.GetValue<string>()}:{scheme["name"]!.GetValue<string>()}", new[] { "header:x-functions-key", "query:code" });
            }
        }
    }

    [Fact]
    public async Task Real_answers_of_every_route_fit_the_document_exactly()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        var agencies = _env.Simulators.Provincial.Agencies;
        var root = agencies.Single(a => a.Cap == "TINH").MaDonVi;
        var department = Busiest("SO");
        var commune = Busiest("XA");
        var current = Truth.Entries.First(e => e.Category == DossierCategory.Current).MaHoSo;

        var answers = new List<(ApiAnswer Answer, HttpStatusCode Expected)>();
        async Task Expect(HttpStatusCode expected, Task<ApiAnswer> call) => answers.Add((await call, expected));

        // 200s, with and without figures, for the province and for agencies at two levels.
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, $"/api/indicators/sync-rate?from=2025-06-15&to=2025-07-15&agency={root}"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, $"/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31&agency={department}"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, $"/api/indicators/sync-rate?from=2025-05-14&to=2025-05-14&agency={commune}"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?from=2024-01-01&to=2024-01-31"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/indicators/scorecard?from=2025-01-01&to=2025-12-31"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, $"/api/indicators/scorecard?from=2025-05-14&to=2025-05-14&agency={commune}"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/indicators/scorecard?from=2024-01-01&to=2024-01-31"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, $"/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&agency={department}"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2024-01-01&to=2024-01-31"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/health"));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/health/live", KeyUse.None));
        await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/openapi.json", KeyUse.None));
        // Every page of the unsynced list: items with a state and the portal's reason, and the cursors between them.
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&limit=7" + (cursor is null ? "" : "&cursor=" + cursor));
            answers.Add((page, HttpStatusCode.OK));
            cursor = page.Status == HttpStatusCode.OK ? page.Json["nextCursor"]?.GetValue<string>() : null;
            pages++;
        } while (cursor is not null);
        Assert.True(pages > 1, "the unsynced list fits on one page: the cursor is not exercised");

        // 202: an operator's resync of a dossier the portal holds (it stays synced).
        await Expect(HttpStatusCode.Accepted, ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{Uri.EscapeDataString(current)}/resync"));

        // The audit routes, with this test holding the audit's lease so that the host's runner leaves the audit alone
        // (and the active one stays active) until it is cancelled.
        var auditStore = _env.App.Services.GetRequiredService<IAuditStore>();
        Assert.True(await auditStore.TryAcquireLeaseAsync("conformance-test", TimeSpan.FromMinutes(5), CancellationToken.None));
        try
        {
            await Expect(HttpStatusCode.NotFound, ApiAnswer.GetAsync(_env.Http, "/api/audits/current"));
            await Expect(HttpStatusCode.NotFound, ApiAnswer.SendAsync(_env.Http, HttpMethod.Delete, "/api/audits/current", KeyUse.AdminHeader));
            await Expect(HttpStatusCode.BadRequest, ApiAnswer.PostAsync(_env.Http, "/api/audits?from=2025-02-01&to=2025-01-01"));
            await Expect(HttpStatusCode.Unauthorized, ApiAnswer.PostAsync(_env.Http, "/api/audits?from=2025-01-01&to=2025-01-31", KeyUse.ReadHeader));
            await Expect(HttpStatusCode.NotFound, ApiAnswer.PostAsync(_env.Http, "/api/audits?from=2025-01-01&to=2025-01-31&agency=000.00.99.H99"));
            await Expect(HttpStatusCode.Accepted, ApiAnswer.PostAsync(_env.Http, $"/api/audits?from=2025-01-01&to=2025-12-31&agency={department}"));
            await Expect(HttpStatusCode.Conflict, ApiAnswer.PostAsync(_env.Http, "/api/audits?from=2025-01-01&to=2025-01-31"));
            await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/audits/current"));
            await Expect(HttpStatusCode.Unauthorized, ApiAnswer.GetAsync(_env.Http, "/api/audits/current", KeyUse.None));
            await Expect(HttpStatusCode.OK, ApiAnswer.GetAsync(_env.Http, "/api/health"));
            await Expect(HttpStatusCode.Unauthorized, ApiAnswer.SendAsync(_env.Http, HttpMethod.Delete, "/api/audits/current", KeyUse.ReadHeader));
            await Expect(HttpStatusCode.OK, ApiAnswer.SendAsync(_env.Http, HttpMethod.Delete, "/api/audits/current", KeyUse.AdminHeader));
        }
        finally
        {
            await auditStore.ReleaseLeaseAsync("conformance-test", CancellationToken.None);
        }
        var auditAnswers = answers.Where(a => a.Answer.PathAndQuery.StartsWith("/api/audits", StringComparison.Ordinal)).Select(a => a.Answer).ToList();
        Assert.Equal("queued", auditAnswers.Single(a => a.Status == HttpStatusCode.Accepted).Json["status"]!.GetValue<string>());
        Assert.Equal("cancelled", auditAnswers.Last().Json["status"]!.GetValue<string>());
        Assert.Equal(department, answers.Last(a => a.Answer.PathAndQuery == "/api/health").Answer.Json["audit"]!["agency"]!.GetValue<string>());

        // Problems.
        await Expect(HttpStatusCode.BadRequest, ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?to=2025-01-31"));
        await Expect(HttpStatusCode.BadRequest, ApiAnswer.GetAsync(_env.Http, "/api/indicators/scorecard?from=2025-02-01&to=2025-01-31"));
        await Expect(HttpStatusCode.Unauthorized, ApiAnswer.GetAsync(_env.Http, "/api/indicators/scorecard?from=2025-01-01&to=2025-01-31", KeyUse.None));
        await Expect(HttpStatusCode.NotFound, ApiAnswer.GetAsync(_env.Http, "/api/indicators/scorecard?from=2025-01-01&to=2025-01-31&agency=000.00.99.H99"));
        await Expect(HttpStatusCode.BadRequest, ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-01-31&limit=0"));
        await Expect(HttpStatusCode.BadRequest, ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-01-31&cursor=nonsense"));
        await Expect(HttpStatusCode.BadRequest, ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{new string('9', 101)}/resync"));
        await Expect(HttpStatusCode.Unauthorized, ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?from=2025-01-01&to=2025-01-31", KeyUse.None));
        await Expect(HttpStatusCode.Unauthorized, ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-01-31", KeyUse.WrongHeader));
        await Expect(HttpStatusCode.Unauthorized, ApiAnswer.GetAsync(_env.Http, "/api/health", KeyUse.WrongQuery));
        await Expect(HttpStatusCode.Unauthorized, ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{Uri.EscapeDataString(current)}/resync", KeyUse.ReadHeader));
        await Expect(HttpStatusCode.NotFound, ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?from=2025-01-01&to=2025-01-31&agency=000.00.99.H99"));
        await Expect(HttpStatusCode.NotFound, ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-01-31&agency=000.00.99.H99"));
        await Expect(HttpStatusCode.NotFound, ApiAnswer.PostAsync(_env.Http, "/api/dossiers/000.00.19.H19-991231-99999/resync"));
        // The open routes' 4XX: the web server refuses headers over its limit (32 KiB in Kestrel) before any route runs.
        var oversized = new Dictionary<string, string> { ["X-Padding"] = new string('x', 40 * 1024) };
        await Expect(HttpStatusCode.RequestHeaderFieldsTooLarge, ApiAnswer.GetAsync(_env.Http, "/api/health/live", KeyUse.None, oversized));
        await Expect(HttpStatusCode.RequestHeaderFieldsTooLarge, ApiAnswer.GetAsync(_env.Http, "/api/openapi.json", KeyUse.None, oversized));

        var failures = new List<string>();
        foreach (var (answer, expected) in answers)
        {
            if (answer.Status != expected) failures.Add($"expected {(int)expected}: {answer}");
            failures.AddRange(spec.Check(answer.Method, answer.PathAndQuery, (int)answer.Status, answer.ContentType, answer.Body));
            // Times are ISO 8601 with the offset of Asia/Ho_Chi_Minh.
            if (answer.Status is HttpStatusCode.OK or HttpStatusCode.Accepted && !answer.PathAndQuery.StartsWith("/api/openapi.json", StringComparison.Ordinal))
                failures.AddRange(Descendants(answer.Json).OfType<JsonValue>()
                    .Where(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String && DateTimeText.IsMatch(v.GetValue<string>()) && !v.GetValue<string>().EndsWith("+07:00", StringComparison.Ordinal))
                    .Select(v => $"{answer.Method} {answer.PathAndQuery}: time {v} is not at +07:00"));
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The answers above show real content, not just valid empties.
        var year = answers[0].Answer.Json;
        Assert.True(year["received"]!.GetValue<long>() > 0 && year["agencies"]!.AsArray().Count > 0, answers[0].Answer.ToString());
        Assert.NotNull(year["asOf"]);
        Assert.True(answers[1].Answer.Json["days"]!.AsArray().Count > 0, answers[1].Answer.ToString());
        Assert.Null(answers[4].Answer.Json["rate"]);
        var scorecard = answers.Single(a => a.Answer.PathAndQuery == "/api/indicators/scorecard?from=2025-01-01&to=2025-12-31").Answer.Json;
        Assert.Equal(["1.4", "2.1", "3.3", "3.6", "4.1", "4.3", "4.5"], scorecard["indicators"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Assert.True(scorecard["agencies"]!.AsArray().Count > 0, scorecard.ToJsonString());
        Assert.Contains(answers, a => a.Answer.PathAndQuery.Contains("limit=7") && a.Answer.Json["items"]!.AsArray().Count > 0);
        Assert.NotNull(answers.First(a => a.Answer.PathAndQuery == "/api/health" && a.Answer.Status == HttpStatusCode.OK).Answer.Json["reconciliation"]);

        // Every documented answer of every route was produced here (or by the outage tests).
        var produced = answers.Select(a => spec.Match(a.Answer.Method, a.Answer.PathAndQuery.Split('?')[0])!)
            .Zip(answers, (operation, a) => (operation.OperationId, OpenApiSpec.ResponseKey(operation, (int)a.Answer.Status) ?? ((int)a.Answer.Status).ToString()))
            .ToHashSet();
        var missing = spec.Operations
            .SelectMany(o => o.Node["responses"]!.AsObject().Select(r => (o.OperationId, r.Key)))
            .Where(r => !produced.Contains(r) && !ProducedElsewhere.Contains(r))
            .ToList();
        Assert.True(missing.Count == 0, "documented but not produced: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task No_answer_holds_personal_data_by_field_name_or_by_the_seeded_dossiers_values()
    {
        // Named here rather than taken from the code's own list (Dossier.PersonalDataFields), so that list cannot shrink unnoticed.
        string[] fields = ["ChuHoSo", "SoGiayToChuHoSo", "MaDoiTuong", "DinhDanhCHS", "SoDienThoai", "Email"];
        // The personal values of every seeded dossier, as the provincial system holds them.
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in _env.Simulators.Provincial.Codes())
        {
            var dossier = _env.Simulators.Provincial.GetDossier(code)!;
            foreach (var field in fields)
                foreach (var value in Descendants(dossier[field]).OfType<JsonValue>().Select(v => v.ToString()))
                    if (value.Length >= 5) values.Add(value);
        }
        Assert.True(values.Count > 1000, $"only {values.Count} personal values in the seeded dossiers");

        var answers = new List<ApiAnswer>();
        foreach (var agency in _env.Simulators.Provincial.Agencies.Where(a => a.Cap is "TINH" or "SO" or "HUYEN"))
        {
            answers.Add(await ApiAnswer.GetAsync(_env.Http, $"/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31&agency={agency.MaDonVi}"));
            answers.Add(await ApiAnswer.GetAsync(_env.Http, $"/api/indicators/scorecard?from=2025-01-01&to=2025-12-31&agency={agency.MaDonVi}"));
        }
        string? cursor = null;
        do
        {
            var page = await ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&limit=500" + (cursor is null ? "" : "&cursor=" + cursor));
            answers.Add(page);
            cursor = page.Json["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        answers.Add(await ApiAnswer.GetAsync(_env.Http, "/api/health"));
        answers.Add(await ApiAnswer.GetAsync(_env.Http, "/api/health/live", KeyUse.None));
        answers.Add(await ApiAnswer.GetAsync(_env.Http, "/api/openapi.json", KeyUse.None));
        // Resync answers name the dossier they queued: one of each kind a dossier can be in.
        foreach (var category in new[] { DossierCategory.Current, DossierCategory.RefusedByPortal, DossierCategory.StaleOnPortal })
            answers.Add(await ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{Uri.EscapeDataString(Truth.Entries.First(e => e.Category == category).MaHoSo)}/resync"));
        answers.Add(await ApiAnswer.PostAsync(_env.Http, "/api/dossiers/000.00.19.H19-991231-99999/resync"));
        answers.Add(await ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31", KeyUse.None));
        Assert.All(answers, a => Assert.True((int)a.Status < 500, a.ToString()));
        var unsyncedItems = answers.Where(a => a.PathAndQuery.Contains("limit=500")).Sum(a => a.Json["items"]!.AsArray().Count);
        Assert.True(unsyncedItems > 0, "no unsynced dossier was listed: nothing would be found");

        var leaks = new List<string>();
        foreach (var answer in answers)
        {
            var json = JsonNode.Parse(answer.Body);
            var names = Descendants(json).OfType<JsonObject>().SelectMany(o => o.Select(p => p.Key));
            leaks.AddRange(names.Where(n => fields.Contains(n, StringComparer.OrdinalIgnoreCase)).Select(n => $"{answer.Method} {answer.PathAndQuery}: field {n}"));
            // Decoded text (JSON escapes Vietnamese letters), so a name is found however it was written.
            var text = string.Join("\n", Descendants(json).OfType<JsonValue>().Select(v => v.ToString()));
            leaks.AddRange(values.Where(v => text.Contains(v, StringComparison.Ordinal)).Select(v => $"{answer.Method} {answer.PathAndQuery}: a seeded dossier's personal value ({v.Length} characters)"));
        }
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    private string Busiest(string level)
    {
        var counts = Truth.Entries.GroupBy(e => e.MaDonVi).ToDictionary(g => g.Key, g => g.Count());
        return _env.Simulators.Provincial.Agencies.Where(a => a.Cap == level)
            .OrderByDescending(a => counts.GetValueOrDefault(a.MaDonVi)).First().MaDonVi;
    }

    private static Dictionary<string, JsonObject> Parameters(OpenApiSpec spec, string operationId) =>
        spec.Operation(operationId).Node["parameters"]!.AsArray().Select(p => spec.Validator.Resolve(p!).AsObject())
            .ToDictionary(p => p["name"]!.GetValue<string>());

    private static IEnumerable<JsonNode> Descendants(JsonNode? node)
    {
        if (node is null) yield break;
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
            foreach (var descendant in Descendants(child))
                yield return descendant;
    }

    private sealed record HttpFunction(string Name, string Route, string[] Methods, string AuthLevel);

    /// <summary>The HTTP functions of the Functions app, as its build-time functions.metadata declares them.</summary>
    private static List<HttpFunction> FunctionsMetadata()
    {
        var output = Path.Combine(RepositoryRoot.Path, "src", "DvcSync.Functions", "bin",
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug", "net10.0");
        var file = Path.Combine(output, "functions.metadata");
        Assert.True(File.Exists(file), $"{file} is missing: build src/DvcSync.Functions first");
        return JsonNode.Parse(File.ReadAllText(file))!.AsArray()
            .Select(f => (Name: f!["name"]!.GetValue<string>(), Trigger: f["bindings"]!.AsArray().Select(b => b!.AsObject()).SingleOrDefault(b => b["type"]!.GetValue<string>() == "httpTrigger")))
            .Where(f => f.Trigger is not null)
            .Select(f => new HttpFunction(f.Name, f.Trigger!["route"]!.GetValue<string>(),
                f.Trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray(), f.Trigger["authLevel"]!.GetValue<string>()))
            .ToList();
    }
}
