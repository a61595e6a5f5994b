using System.Net;
using System.Text;
using DvcSync.IntegrationTests.EndToEnd;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators.Seeding;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// The API's error answers on the running standalone host: 400 for every malformed or contradictory parameter, 404
/// for an unknown agency or dossier, 401 for a missing, wrong or too weak key on every keyed route — each as
/// problem+json whose detail says what to fix, and each fitting the document. Keys are driven by the document: every
/// operation it marks as keyed must refuse what it should, and every open one must stay open.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ApiErrorTests(ReconciledProvinceFixture fixture)
{
    private const string SyncRate = "/api/indicators/sync-rate";
    private const string Scorecard = "/api/indicators/scorecard";
    private const string Unsynced = "/api/dossiers/unsynced";
    private const string UnknownAgency = "000.00.99.H99";

    private readonly SyncEnvironment _env = fixture.Env;

    public static TheoryData<string> PeriodRoutes => [SyncRate, Scorecard, Unsynced];

    public static TheoryData<string, string, string> BadPeriods => new()
    {
        // query, what the detail must name, why
        { "", "'from'", "no dates" },
        { "to=2025-01-31", "'from'", "no from" },
        { "from=2025-01-01", "'to'", "no to" },
        { "from=&to=2025-01-31", "'from'", "an empty from" },
        { "from=2025-13-01&to=2025-12-31", "'from'", "month 13" },
        { "from=2025-1-1&to=2025-12-31", "'from'", "one-digit month and day" },
        { "from=abc&to=2025-12-31", "'from'", "not a date" },
        { "from=2025-02-30&to=2025-12-31", "'from'", "30 February" },
        { "from=2025-01-01T00:00:00&to=2025-12-31", "'from'", "a time, not a day" },
        { "from=01/01/2025&to=2025-12-31", "'from'", "another date order" },
        { "from=2025-01-01&to=2025-13-01", "'to'", "month 13 in to" },
        { "from=2025-01-01&to=2025-1-1", "'to'", "one-digit to" },
        { "from=2025-01-01&to=abc", "'to'", "to not a date" },
        { "from=2025-02-01&to=2025-01-31", "'from'", "from after to" },
        { "from=2025-01-01&to=2026-01-02", "366", "367 days" },
        { "from=2024-01-01&to=2025-12-31", "366", "two years" },
        { "from=0001-01-01&to=0001-12-31", "1970-01-01 to 2099-12-31", "year 1, as one-stop systems write no date" },
        { "from=9999-01-01&to=9999-12-31", "1970-01-01 to 2099-12-31", "year 9999" },
        { "from=1969-12-31&to=1970-01-31", "'from' is outside the supported dates", "the day before 1970" },
        { "from=2099-12-01&to=2100-01-01", "'to' is outside the supported dates", "the day after 2099" },
    };

    [Theory]
    [MemberData(nameof(BadPeriods))]
    public async Task A_missing_malformed_or_contradictory_period_is_a_400_that_says_what_to_fix(string query, string mentions, string why)
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        foreach (var route in new[] { SyncRate, Scorecard, Unsynced })
        {
            var answer = await ApiAnswer.GetAsync(_env.Http, route + (query.Length > 0 ? "?" + query : ""));
            answer.AssertProblem(HttpStatusCode.BadRequest, mentions);
            Assert.True(spec.Check(answer.Method, answer.PathAndQuery, 400, answer.ContentType, answer.Body) is [], $"{why}: {answer}");
        }
    }

    [Theory]
    [InlineData("from=2024-01-01&to=2024-12-31", "a leap year: 366 days")]
    [InlineData("from=2025-01-01&to=2026-01-01", "366 days across a new year")]
    [InlineData("from=2025-03-01&to=2025-03-01", "one day")]
    [InlineData("from=1970-01-01&to=1970-01-31", "the first month supported")]
    [InlineData("from=2099-12-01&to=2099-12-31", "the last month supported")]
    public async Task A_period_of_up_to_366_days_is_accepted(string query, string why)
    {
        foreach (var route in new[] { SyncRate, Scorecard, Unsynced })
        {
            var answer = await ApiAnswer.GetAsync(_env.Http, $"{route}?{query}");
            Assert.True(answer.Status == HttpStatusCode.OK, $"{why}: {answer}");
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("501")]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("1e2")]
    [InlineData("99999999999")]
    public async Task A_limit_outside_1_to_500_is_a_400_that_names_the_range(string limit)
    {
        var answer = await ApiAnswer.GetAsync(_env.Http, $"{Unsynced}?from=2025-01-01&to=2025-12-31&limit={Uri.EscapeDataString(limit)}");
        answer.AssertProblem(HttpStatusCode.BadRequest, "'limit'", "1 to 500");
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("500", 500)]
    [InlineData("", 100)]
    public async Task A_limit_from_1_to_500_is_accepted_and_the_default_is_100(string limit, int pageSize)
    {
        var answer = await ApiAnswer.GetAsync(_env.Http, $"{Unsynced}?from=2025-01-01&to=2025-12-31" + (limit.Length > 0 ? $"&limit={limit}" : ""));
        var items = answer.AssertOk()["items"]!.AsArray();
        var all = await CountUnsyncedAsync();
        Assert.Equal(Math.Min(pageSize, all), items.Count);
    }

    public static TheoryData<string, string> BadCursors => new()
    {
        { "nonsense", "not base64" },
        { "!!!!", "not base64url" },
        { Base64Url("garbage"), "no separator" },
        { Base64Url("2025-01-01|"), "no dossier code" },
        { Base64Url("not-a-time|000.00.19.H19-250115-00001"), "no time" },
        { "a", "a truncated cursor" },
        { Base64Url("00010101000000|000.00.19.H19-250115-00001"), "a position in year 1" },
        { Base64Url("99991231235959|000.00.19.H19-250115-00001"), "a position in year 9999" },
    };

    [Theory]
    [MemberData(nameof(BadCursors))]
    public async Task A_cursor_this_api_did_not_return_is_a_400(string cursor, string why)
    {
        var answer = await ApiAnswer.GetAsync(_env.Http, $"{Unsynced}?from=2025-01-01&to=2025-12-31&cursor={Uri.EscapeDataString(cursor)}");
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{why}: {answer}");
        answer.AssertProblem(HttpStatusCode.BadRequest, "'cursor'");
    }

    [Fact]
    public async Task An_audit_of_a_period_outside_the_supported_dates_is_a_400_that_says_the_range()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        foreach (var query in new[] { "from=0001-01-01&to=0001-12-31", "from=9999-12-01&to=9999-12-31", "from=2099-12-31&to=2100-01-01" })
        {
            var answer = await ApiAnswer.PostAsync(_env.Http, $"/api/audits?{query}");
            answer.AssertProblem(HttpStatusCode.BadRequest, "1970-01-01 to 2099-12-31");
            Assert.True(spec.Check(answer.Method, answer.PathAndQuery, 400, answer.ContentType, answer.Body) is [], answer.ToString());
        }
    }

    /// <summary>
    /// A value like an ID number sent where a date, a limit, a cursor, an agency or a dossier code goes: whatever it
    /// is, the answer describes it by its shape and never repeats it.
    /// </summary>
    [Theory]
    [InlineData(Unsynced + "?from=079012345678&to=2025-12-31", HttpStatusCode.BadRequest, "'from' (12 characters, shaped '999999999999')")]
    [InlineData(Unsynced + "?from=2025-01-01&to=079012345678", HttpStatusCode.BadRequest, "'to' (12 characters")]
    [InlineData(Unsynced + "?from=2025-01-01&to=2025-12-31&limit=079012345678", HttpStatusCode.BadRequest, "'limit' (12 characters")]
    [InlineData(Unsynced + "?from=2025-01-01&to=2025-12-31&cursor=079012345678", HttpStatusCode.BadRequest, "'cursor'")]
    [InlineData(Unsynced + "?from=2025-01-01&to=2025-12-31&agency=079012345678", HttpStatusCode.NotFound, "(12 characters, shaped '999999999999')")]
    [InlineData(SyncRate + "?from=2025-01-01&to=2025-12-31&agency=079012345678", HttpStatusCode.NotFound, "(12 characters")]
    [InlineData(Scorecard + "?from=2025-01-01&to=2025-12-31&agency=079012345678", HttpStatusCode.NotFound, "(12 characters")]
    [InlineData(Scorecard + "?from=079012345678&to=2025-12-31", HttpStatusCode.BadRequest, "'from' (12 characters")]
    [InlineData("POST /api/audits?from=2025-01-01&to=2025-12-31&agency=079012345678", HttpStatusCode.NotFound, "(12 characters")]
    [InlineData("POST /api/audits?from=079012345678&to=2025-12-31", HttpStatusCode.BadRequest, "'from' (12 characters")]
    [InlineData("POST /api/dossiers/079012345678/resync", HttpStatusCode.NotFound, "(12 characters, shaped '999999999999')")]
    public async Task No_problem_detail_repeats_the_value_it_refuses(string request, HttpStatusCode status, string describedAs)
    {
        const string value = "079012345678";
        var answer = request.StartsWith("POST ", StringComparison.Ordinal)
            ? await ApiAnswer.PostAsync(_env.Http, request["POST ".Length..])
            : await ApiAnswer.GetAsync(_env.Http, request);
        answer.AssertProblem(status, describedAs);
        Assert.False(answer.Body.Contains(value, StringComparison.Ordinal), $"the value is repeated: {answer}");
    }

    [Theory]
    [MemberData(nameof(PeriodRoutes))]
    public async Task An_unknown_agency_is_a_404_that_describes_it_and_an_overlong_one_a_400(string route)
    {
        var unknown = await ApiAnswer.GetAsync(_env.Http, $"{route}?from=2025-01-01&to=2025-12-31&agency={UnknownAgency}");
        var problem = unknown.AssertProblem(HttpStatusCode.NotFound, "(13 characters, shaped '999.99.99.a99')", "list of agencies");
        Assert.DoesNotContain(UnknownAgency, problem["detail"]!.GetValue<string>());

        var longest = await ApiAnswer.GetAsync(_env.Http, $"{route}?from=2025-01-01&to=2025-12-31&agency={new string('9', 64)}");
        longest.AssertProblem(HttpStatusCode.NotFound);
        var overlong = await ApiAnswer.GetAsync(_env.Http, $"{route}?from=2025-01-01&to=2025-12-31&agency={new string('9', 65)}");
        overlong.AssertProblem(HttpStatusCode.BadRequest, "'agency'");
    }

    [Theory]
    [MemberData(nameof(PeriodRoutes))]
    public async Task An_empty_or_blank_agency_means_the_whole_province_as_no_agency_does(string route)
    {
        var province = (await ApiAnswer.GetAsync(_env.Http, $"{route}?from=2025-01-01&to=2025-01-31")).AssertOk();
        foreach (var agency in new[] { "", "%20", "%20%20%09" })
        {
            var answer = await ApiAnswer.GetAsync(_env.Http, $"{route}?from=2025-01-01&to=2025-01-31&agency={agency}");
            Assert.True(answer.Status == HttpStatusCode.OK, $"agency='{Uri.UnescapeDataString(agency)}': {answer}");
            if (route is SyncRate or Scorecard) Assert.Equal(province["agency"]!.GetValue<string>(), answer.Json["agency"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_resync_of_a_dossier_the_provincial_system_does_not_know_is_a_404_that_describes_it()
    {
        const string unknown = "000.00.19.H19-991231-99999";
        var answer = await ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{unknown}/resync");
        var problem = answer.AssertProblem(HttpStatusCode.NotFound, "(26 characters, shaped '999.99.99.a99-999999-99999')");
        Assert.DoesNotContain(unknown, problem["detail"]!.GetValue<string>());
        // The ledger learnt nothing of it.
        Assert.Null(await _env.Ledger.GetAsync("000.00.19.H19", unknown, CancellationToken.None));
    }

    [Theory]
    [InlineData("%20", "blank")]
    [InlineData("101", "101 characters")]
    public async Task A_resync_of_a_blank_or_overlong_dossier_code_is_a_400(string code, string why)
    {
        var path = code == "101" ? new string('9', 101) : code;
        var answer = await ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{path}/resync");
        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{why}: {answer}");
        answer.AssertProblem(HttpStatusCode.BadRequest, "MaHoSo");
    }

    [Fact]
    public async Task Every_keyed_route_refuses_a_missing_or_wrong_key_and_the_admin_route_a_read_key_in_header_or_query()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        var failures = new List<string>();
        foreach (var operation in spec.Operations)
        {
            var (method, path, success) = Sample(operation.OperationId);
            var schemes = spec.Security(operation).SelectMany(r => r).ToList();
            var admin = schemes.Contains("writeKey");
            Assert.True(schemes.Count == 0 || admin || schemes.Contains("functionKey"), $"{operation.OperationId}: schemes {string.Join(", ", schemes)}");

            HttpStatusCode[] refused = [HttpStatusCode.Unauthorized];
            var cases = schemes.Count == 0
                ? new[] { (KeyUse.None, success) }
                :
                [
                    (KeyUse.None, refused),
                    (KeyUse.WrongHeader, refused),
                    (KeyUse.WrongQuery, refused),
                    (KeyUse.ReadHeader, admin ? refused : success),
                    (KeyUse.ReadQuery, admin ? refused : success),
                    (KeyUse.AdminHeader, success),
                    (KeyUse.AdminQuery, success),
                ];
            foreach (var (key, expected) in cases)
            {
                var answer = await ApiAnswer.SendAsync(_env.Http, method, path, key);
                if (!expected.Contains(answer.Status)) failures.Add($"{operation.OperationId} with {key}: expected {string.Join(" or ", expected.Select(e => (int)e))}: {answer}");
                else if (answer.Status == HttpStatusCode.Unauthorized)
                {
                    answer.AssertProblem(HttpStatusCode.Unauthorized, "x-functions-key", "code", admin ? "admin key" : "key");
                    failures.AddRange(spec.Check(answer.Method, answer.PathAndQuery, 401, answer.ContentType, answer.Body));
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task The_key_is_checked_before_the_parameters_so_a_keyless_caller_learns_nothing()
    {
        (await ApiAnswer.GetAsync(_env.Http, $"{SyncRate}?from=abc", KeyUse.None)).AssertProblem(HttpStatusCode.Unauthorized);
        (await ApiAnswer.GetAsync(_env.Http, $"{Unsynced}?agency={UnknownAgency}&from=2025-01-01&to=2025-01-31", KeyUse.WrongHeader)).AssertProblem(HttpStatusCode.Unauthorized);
        (await ApiAnswer.PostAsync(_env.Http, "/api/dossiers/000.00.19.H19-991231-99999/resync", KeyUse.ReadQuery)).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Liveness_and_the_document_are_open_and_carry_no_key_in_their_answers()
    {
        var live = await ApiAnswer.GetAsync(_env.Http, "/api/health/live", KeyUse.None);
        Assert.Equal("alive", live.AssertOk()["status"]!.GetValue<string>());
        var document = await ApiAnswer.GetAsync(_env.Http, "/api/openapi.json", KeyUse.None);
        document.AssertOk();
        foreach (var answer in new[] { live, document, await ApiAnswer.GetAsync(_env.Http, "/api/health", KeyUse.ReadQuery) })
        {
            Assert.DoesNotContain(SyncEnvironment.ReadKey, answer.Body);
            Assert.DoesNotContain(SyncEnvironment.AdminKey, answer.Body);
        }
    }

    /// <summary>
    /// A request that gets past the key check with the right key, for each operation of the document, and the answers
    /// it may then get. The audit routes are asked so as to change nothing: a period that is a 400 (after the key),
    /// and the current audit, which other tests in the collection may or may not have left.
    /// </summary>
    private (HttpMethod Method, string Path, HttpStatusCode[] Success) Sample(string operationId)
    {
        var current = _env.Simulators.Truth.Entries.First(e => e.Category == DossierCategory.Current).MaHoSo;
        return operationId switch
        {
            "getSyncRate" => (HttpMethod.Get, $"{SyncRate}?from=2025-01-01&to=2025-01-31", [HttpStatusCode.OK]),
            "getScorecard" => (HttpMethod.Get, $"{Scorecard}?from=2025-01-01&to=2025-01-31", [HttpStatusCode.OK]),
            "getUnsyncedDossiers" => (HttpMethod.Get, $"{Unsynced}?from=2025-01-01&to=2025-01-31&limit=3", [HttpStatusCode.OK]),
            "getHealth" => (HttpMethod.Get, "/api/health", [HttpStatusCode.OK]),
            "getLive" => (HttpMethod.Get, "/api/health/live", [HttpStatusCode.OK]),
            "getOpenApiDocument" => (HttpMethod.Get, "/api/openapi.json", [HttpStatusCode.OK]),
            "resyncDossier" => (HttpMethod.Post, $"/api/dossiers/{Uri.EscapeDataString(current)}/resync", [HttpStatusCode.Accepted]),
            "requestAudit" => (HttpMethod.Post, "/api/audits?from=2025-02-01&to=2025-01-01", [HttpStatusCode.BadRequest]),
            "getCurrentAudit" => (HttpMethod.Get, "/api/audits/current", [HttpStatusCode.OK, HttpStatusCode.NotFound]),
            "cancelAudit" => (HttpMethod.Delete, "/api/audits/current", [HttpStatusCode.NotFound]),
            _ => throw new InvalidOperationException($"the document has an operation {operationId} that this test has no request for: add one"),
        };
    }

    private async Task<int> CountUnsyncedAsync()
    {
        var count = 0;
        string? cursor = null;
        do
        {
            var page = (await ApiAnswer.GetAsync(_env.Http, $"{Unsynced}?from=2025-01-01&to=2025-12-31&limit=500" + (cursor is null ? "" : "&cursor=" + cursor))).AssertOk();
            count += page["items"]!.AsArray().Count;
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        return count;
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
