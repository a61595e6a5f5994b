using DvcSync.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

/// <summary>
/// The HTTP API of sync-api.md. Every keyed route is function level: a key named on each function opens that function
/// only (docs/operations.md, "API keys"), so nobody needs the master key, which also manages keys and opens everything.
/// </summary>
public sealed class ApiFunctions(ISyncApi api)
{
    [Function("SyncRate")]
    public Task<IActionResult> SyncRate([HttpTrigger(AuthorizationLevel.Function, "get", Route = "indicators/sync-rate")] HttpRequest request, CancellationToken cancellationToken) =>
        api.GetSyncRateAsync(request, cancellationToken).AsActionResult();

    [Function("Scorecard")]
    public Task<IActionResult> Scorecard([HttpTrigger(AuthorizationLevel.Function, "get", Route = "indicators/scorecard")] HttpRequest request, CancellationToken cancellationToken) =>
        api.GetScorecardAsync(request, cancellationToken).AsActionResult();

    [Function("UnsyncedDossiers")]
    public Task<IActionResult> Unsynced([HttpTrigger(AuthorizationLevel.Function, "get", Route = "dossiers/unsynced")] HttpRequest request, CancellationToken cancellationToken) =>
        api.GetUnsyncedAsync(request, cancellationToken).AsActionResult();

    [Function("Health")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Function, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken) =>
        api.GetHealthAsync(cancellationToken).AsActionResult();

    [Function("Live")]
    public IActionResult Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/live")] HttpRequest request) =>
        api.GetLive().AsActionResult();

    [Function("Resync")]
    public Task<IActionResult> Resync([HttpTrigger(AuthorizationLevel.Function, "post", Route = "dossiers/{maHoSo}/resync")] HttpRequest request, string maHoSo, CancellationToken cancellationToken) =>
        api.ResyncAsync(maHoSo, cancellationToken).AsActionResult();

    [Function("RequestAudit")]
    public Task<IActionResult> RequestAudit([HttpTrigger(AuthorizationLevel.Function, "post", Route = "audits")] HttpRequest request, CancellationToken cancellationToken) =>
        api.RequestAuditAsync(request, cancellationToken).AsActionResult();

    [Function("CurrentAudit")]
    public Task<IActionResult> CurrentAudit([HttpTrigger(AuthorizationLevel.Function, "get", Route = "audits/current")] HttpRequest request, CancellationToken cancellationToken) =>
        api.GetAuditAsync(cancellationToken).AsActionResult();

    [Function("CancelAudit")]
    public Task<IActionResult> CancelAudit([HttpTrigger(AuthorizationLevel.Function, "delete", Route = "audits/current")] HttpRequest request, CancellationToken cancellationToken) =>
        api.CancelAuditAsync(cancellationToken).AsActionResult();

    /// <summary>The API's OpenAPI document. Anonymous: it holds no data.</summary>
    [Function("OpenApi")]
    public IActionResult OpenApi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        api.GetOpenApiDocument().AsActionResult();
}
