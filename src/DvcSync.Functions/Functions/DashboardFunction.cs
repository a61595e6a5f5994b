using DvcSync.Api.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DvcSync.Functions.Functions;

/// <summary>The dashboard page and its files. Anonymous: the page holds no data, and every call it makes needs a key.</summary>
public sealed class DashboardFunction(IDashboardAssets assets)
{
    [Function("Dashboard")]
    public IActionResult Dashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard/{*file}")] HttpRequest request, string? file) =>
        assets.Get(request, file).AsActionResult();
}
