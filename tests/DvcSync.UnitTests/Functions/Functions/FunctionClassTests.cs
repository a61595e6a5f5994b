using DvcSync.Api;
using DvcSync.Application.Audit;
using DvcSync.Application.Configuration;
using DvcSync.UnitTests.Application.Configuration;
using DvcSync.Api.Dashboard;
using DvcSync.Application.Reconciliation;
using DvcSync.Application.Repair;
using DvcSync.Functions.Functions;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Moq;

namespace DvcSync.UnitTests.Functions.Functions;

/// <summary>Each function is one call into a shared handler: these prove the call and that nothing is lost on the way.</summary>
public class FunctionClassTests
{
    [Theory]
    [InlineData(null, 7.0)]
    [InlineData("2.5", 2.5)]
    public async Task Reconcile_runs_one_slice_of_the_reconciliation_inside_the_function_timeout_with_the_hosts_cancellation(string? configured, double minutes)
    {
        var handler = new Mock<IReconcileHandler>();
        var options = Settings.Sync(new Dictionary<string, string?> { ["Sync:ReconcileSliceMinutes"] = configured });
        using var cts = new CancellationTokenSource();
        await new ReconcileFunction(handler.Object, options).Run(new TimerInfo(), cts.Token);
        handler.Verify(h => h.RunSliceAsync(TimeSpan.FromMinutes(minutes), cts.Token), Times.Once);
        handler.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Audit_runs_one_slice_of_the_configured_length_with_the_hosts_cancellation()
    {
        var handler = new Mock<IAuditHandler>();
        var options = Settings.Sync(new Dictionary<string, string?> { ["Sync:AuditSliceMinutes"] = "3" });
        using var cts = new CancellationTokenSource();
        await new AuditFunction(handler.Object, options).Run(new TimerInfo(), cts.Token);
        handler.Verify(h => h.RunSliceAsync(TimeSpan.FromMinutes(3), cts.Token), Times.Once);
    }

    [Fact]
    public async Task Repair_hands_the_message_text_to_the_handler()
    {
        var handler = new Mock<IRepairHandler>();
        await new RepairFunction(handler.Object).Run("{\"maHoSo\":\"X\"}", CancellationToken.None);
        handler.Verify(h => h.HandleMessageAsync("{\"maHoSo\":\"X\"}", CancellationToken.None), Times.Once);
    }

    [Fact]
    public async Task Repair_lets_a_handler_failure_reach_the_host_so_the_message_is_redelivered()
    {
        var handler = new Mock<IRepairHandler>();
        handler.Setup(h => h.HandleMessageAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException());
        await Assert.ThrowsAsync<TimeoutException>(() => new RepairFunction(handler.Object).Run("m", CancellationToken.None));
    }

    [Fact]
    public async Task Api_functions_pass_the_request_and_return_the_shared_result()
    {
        var api = new Mock<ISyncApi>();
        var request = new DefaultHttpContext().Request;
        var syncRate = Results.Ok("rate");
        var unsynced = Results.Ok("unsynced");
        var health = Results.Ok("health");
        var live = Results.Ok("live");
        var resync = Results.Accepted();
        var openApi = Results.Ok("openapi");
        var requestAudit = Results.Accepted("audit");
        var currentAudit = Results.Ok("current audit");
        var cancelAudit = Results.Ok("cancelled audit");
        api.Setup(a => a.GetSyncRateAsync(request, It.IsAny<CancellationToken>())).ReturnsAsync(syncRate);
        api.Setup(a => a.GetUnsyncedAsync(request, It.IsAny<CancellationToken>())).ReturnsAsync(unsynced);
        api.Setup(a => a.GetHealthAsync(It.IsAny<CancellationToken>())).ReturnsAsync(health);
        api.Setup(a => a.GetLive()).Returns(live);
        api.Setup(a => a.ResyncAsync("000.00.19.H19-250115-00001", It.IsAny<CancellationToken>())).ReturnsAsync(resync);
        api.Setup(a => a.GetOpenApiDocument()).Returns(openApi);
        api.Setup(a => a.RequestAuditAsync(request, It.IsAny<CancellationToken>())).ReturnsAsync(requestAudit);
        api.Setup(a => a.GetAuditAsync(It.IsAny<CancellationToken>())).ReturnsAsync(currentAudit);
        api.Setup(a => a.CancelAuditAsync(It.IsAny<CancellationToken>())).ReturnsAsync(cancelAudit);
        var functions = new ApiFunctions(api.Object);

        Assert.Same(syncRate, Unwrap(await functions.SyncRate(request, CancellationToken.None)));
        Assert.Same(unsynced, Unwrap(await functions.Unsynced(request, CancellationToken.None)));
        Assert.Same(health, Unwrap(await functions.Health(request, CancellationToken.None)));
        Assert.Same(live, Unwrap(functions.Live(request)));
        Assert.Same(resync, Unwrap(await functions.Resync(request, "000.00.19.H19-250115-00001", CancellationToken.None)));
        Assert.Same(openApi, Unwrap(functions.OpenApi(request)));
        Assert.Same(requestAudit, Unwrap(await functions.RequestAudit(request, CancellationToken.None)));
        Assert.Same(currentAudit, Unwrap(await functions.CurrentAudit(request, CancellationToken.None)));
        Assert.Same(cancelAudit, Unwrap(await functions.CancelAudit(request, CancellationToken.None)));
    }

    [Fact]
    public void Dashboard_passes_the_request_and_the_file_and_returns_the_shared_result()
    {
        var assets = new Mock<IDashboardAssets>();
        var request = new DefaultHttpContext().Request;
        var page = Results.Ok("page");
        var script = Results.Ok("script");
        assets.Setup(a => a.Get(request, null)).Returns(page);
        assets.Setup(a => a.Get(request, "app.js")).Returns(script);
        var function = new DashboardFunction(assets.Object);

        Assert.Same(page, Unwrap(function.Dashboard(request, null)));
        Assert.Same(script, Unwrap(function.Dashboard(request, "app.js")));
        assets.Verify(a => a.Get(It.IsAny<HttpRequest>(), It.IsAny<string?>()), Times.Exactly(2));
    }

    private static IResult Unwrap(Microsoft.AspNetCore.Mvc.IActionResult result) => Assert.IsType<ResultActionResult>(result).Result;
}
