using System.Globalization;
using System.Text.Json;
using DvcSync.Application.Audit;
using DvcSync.Application.Health;
using DvcSync.Application.Indicators;
using DvcSync.Application.Resync;
using DvcSync.Application.Unsynced;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using Microsoft.AspNetCore.Http;

namespace DvcSync.Api;

/// <summary>
/// The HTTP API of sync-api.md, once, for both hosts: each Azure Function and each standalone endpoint is one call
/// into here. Parameters are checked here, answers shaped here, errors are problem+json with a detail that says
/// what to fix. Keys are the host's business (the Functions host, or the standalone host's filter).
/// </summary>
public interface ISyncApi
{
    Task<IResult> GetSyncRateAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /api/indicators/scorecard?from=&amp;to=[&amp;agency=]</c>: the 766 scorecard, source against portal.</summary>
    Task<IResult> GetScorecardAsync(HttpRequest request, CancellationToken cancellationToken);
    Task<IResult> GetUnsyncedAsync(HttpRequest request, CancellationToken cancellationToken);
    Task<IResult> GetHealthAsync(CancellationToken cancellationToken);
    IResult GetLive();
    Task<IResult> ResyncAsync(string maHoSo, CancellationToken cancellationToken);

    /// <summary><c>POST /api/audits?from=&amp;to=[&amp;agency=]</c> (write key): requests a full audit of a period.</summary>
    Task<IResult> RequestAuditAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary><c>GET /api/audits/current</c>: the current or last audit and its progress.</summary>
    Task<IResult> GetAuditAsync(CancellationToken cancellationToken);

    /// <summary><c>DELETE /api/audits/current</c> (write key): stops the active audit.</summary>
    Task<IResult> CancelAuditAsync(CancellationToken cancellationToken);

    /// <summary>This API's OpenAPI document (<see cref="OpenApiDocument"/>): anonymous, it holds no data.</summary>
    IResult GetOpenApiDocument();
}

public sealed class SyncApi(SyncRateQuery syncRate, ScorecardQuery scorecard, UnsyncedQuery unsynced, HealthQuery health, ResyncCommand resync, IAuditHandler audits) : ISyncApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IResult> GetSyncRateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (period, problem) = PeriodQuery.Parse(request.Query["from"], request.Query["to"]);
        if (period is null) return BadRequest(problem!);
        if (!TryAgency(request, out var agency, out var agencyProblem)) return BadRequest(agencyProblem!);

        return await GuardAsync(async () => ToResult(await syncRate.HandleAsync(period, agency, cancellationToken)));
    }

    public async Task<IResult> GetScorecardAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (period, problem) = PeriodQuery.Parse(request.Query["from"], request.Query["to"]);
        if (period is null) return BadRequest(problem!);
        if (!TryAgency(request, out var agency, out var agencyProblem)) return BadRequest(agencyProblem!);

        return await GuardAsync(async () => ToResult(await scorecard.HandleAsync(period, agency, cancellationToken)));
    }

    public async Task<IResult> GetUnsyncedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (period, problem) = PeriodQuery.Parse(request.Query["from"], request.Query["to"]);
        if (period is null) return BadRequest(problem!);
        if (!TryAgency(request, out var agency, out var agencyProblem)) return BadRequest(agencyProblem!);

        var limit = UnsyncedQuery.DefaultLimit;
        if (request.Query["limit"].ToString() is { Length: > 0 } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > UnsyncedQuery.MaxLimit))
            return BadRequest($"Query parameter 'limit' ({Dossier.Shape(limitText)}) must be a whole number from 1 to {UnsyncedQuery.MaxLimit}");
        var cursor = request.Query["cursor"].ToString() is { Length: > 0 } c ? c : null;

        return await GuardAsync(async () => ToResult(await unsynced.HandleAsync(period, agency, limit, cursor, cancellationToken)));
    }

    public async Task<IResult> GetHealthAsync(CancellationToken cancellationToken)
    {
        var report = await health.HandleAsync(cancellationToken);
        return Results.Json(report, Json, statusCode: report.Status == HealthQuery.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }

    public IResult GetLive() => Results.Json(new { status = "alive" }, Json);

    public async Task<IResult> ResyncAsync(string maHoSo, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(maHoSo) || maHoSo.Length > 100)
            return BadRequest("The dossier code in the route must be a MaHoSo of at most 100 characters");
        return await GuardAsync(async () =>
        {
            var accepted = await resync.HandleAsync(maHoSo, cancellationToken);
            return accepted is null
                ? Problem(StatusCodes.Status404NotFound, "Dossier not found", $"The provincial system does not know the dossier in the route ({Dossier.Shape(maHoSo)})")
                : Results.Json(new { maHoSo = accepted.MaHoSo, messageId = accepted.MessageId, status = "queued" }, Json, statusCode: StatusCodes.Status202Accepted);
        });
    }

    public async Task<IResult> RequestAuditAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (period, problem) = PeriodQuery.Parse(request.Query["from"], request.Query["to"]);
        if (period is null) return BadRequest(problem!);
        if (!TryAgency(request, out var agency, out var agencyProblem)) return BadRequest(agencyProblem!);

        return await GuardAsync(async () =>
        {
            try
            {
                var job = await audits.RequestAsync(new AuditRequest(period.From, period.To, agency), cancellationToken);
                return Results.Json(AuditView.Of(job), Json, statusCode: StatusCodes.Status202Accepted);
            }
            catch (UnknownAgencyException e)
            {
                return Problem(StatusCodes.Status404NotFound, "Not found", e.Message);
            }
            catch (AuditConflictException e)
            {
                return Problem(StatusCodes.Status409Conflict, "Another audit is active", e.Message);
            }
        });
    }

    public async Task<IResult> GetAuditAsync(CancellationToken cancellationToken)
    {
        var job = await audits.GetCurrentAsync(cancellationToken);
        return job is null
            ? Problem(StatusCodes.Status404NotFound, "Not found", "No audit has been requested yet: POST /api/audits?from=YYYY-MM-DD&to=YYYY-MM-DD starts one")
            : Results.Json(AuditView.Of(job), Json);
    }

    public async Task<IResult> CancelAuditAsync(CancellationToken cancellationToken)
    {
        var job = await audits.CancelAsync(cancellationToken);
        return job is null
            ? Problem(StatusCodes.Status404NotFound, "Not found", "No audit is queued or running")
            : Results.Json(AuditView.Of(job), Json);
    }

    public IResult GetOpenApiDocument() => Results.Bytes(OpenApiDocument.Utf8Json, OpenApiDocument.ContentType);

    private static bool TryAgency(HttpRequest request, out string? agency, out string? problem)
    {
        // Blank is absent (the whole province), as an empty value is: not a 404 for an agency named ''.
        agency = request.Query["agency"].ToString().Trim() is { Length: > 0 } a ? a : null;
        problem = agency is { Length: > 64 } ? "Query parameter 'agency' must be a MaDonVi of at most 64 characters" : null;
        return problem is null;
    }

    /// <summary>An external system that is down is the caller's 503, not our 500.</summary>
    private static async Task<IResult> GuardAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (ExternalSystemUnavailableException e)
        {
            return Problem(StatusCodes.Status503ServiceUnavailable, "Dependency unavailable", $"{e.System} is unavailable: {e.Reason}. Try again later.");
        }
    }

    private static IResult ToResult<T>(QueryResult<T> result) => result.Failure switch
    {
        null => Results.Json(result.Value, Json),
        QueryFailure.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", result.Detail!),
        _ => BadRequest(result.Detail!),
    };

    private static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Invalid request", detail);

    public static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);
}
