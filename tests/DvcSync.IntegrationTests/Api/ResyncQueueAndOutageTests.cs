using System.Net;
using DvcSync.Application.Repair;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using DvcSync.Standalone.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// What the resync route really does, and what the API answers while the provincial system is down, on a host
/// whose repair poller is stopped so that a queued message stays on the queue to be looked at.
/// </summary>
public sealed class ResyncQueueAndOutageTests(QuietProvinceFixture fixture) : IClassFixture<QuietProvinceFixture>
{
    private readonly SyncEnvironment _env = fixture.Env;

    [Theory]
    [InlineData(KeyUse.AdminHeader)]
    [InlineData(KeyUse.AdminQuery)]
    public async Task A_resync_with_the_admin_key_answers_202_with_the_id_of_the_message_it_put_on_the_repair_queue(KeyUse key)
    {
        await fixture.ProvincialAvailableAsync();
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        var dossier = _env.Simulators.Truth.Entries.Where(e => e.ReceivedAt is not null).ElementAt(key == KeyUse.AdminHeader ? 0 : 1);

        var answer = await ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{Uri.EscapeDataString(dossier.MaHoSo)}/resync", key);
        var body = answer.AssertOk(HttpStatusCode.Accepted);
        Assert.Empty(spec.Check(answer.Method, answer.PathAndQuery, 202, answer.ContentType, answer.Body));
        Assert.Equal(dossier.MaHoSo, body["maHoSo"]!.GetValue<string>());
        Assert.Equal("queued", body["status"]!.GetValue<string>());
        var messageId = body["messageId"]!.GetValue<string>();

        var queued = (await _env.Storage.Queue(_env.QueueName).PeekMessagesAsync(32)).Value;
        var message = Assert.Single(queued, m => m.MessageId == messageId);
        var request = RepairMessageCodec.Decode(message.Body.ToString());
        Assert.Equal(dossier.MaHoSo, request.MaHoSo);
        Assert.Equal(dossier.MaDonVi, request.MaDonVi);
        Assert.True(request.Force, "an operator's resync sends the dossier even if the ledger thinks the portal's copy current");

        // The ledger knows the dossier is in the repair's hands.
        Assert.NotNull(await _env.Ledger.GetAsync(dossier.MaDonVi, dossier.MaHoSo, CancellationToken.None));
    }

    [Fact]
    public async Task While_the_provincial_system_is_down_the_api_answers_503_problem_json_or_a_figure_that_says_where_it_comes_from()
    {
        var spec = await OpenApiSpec.FetchAsync(_env.Http);
        var failures = new List<string>();
        void Fits(ApiAnswer answer) => failures.AddRange(spec.Check(answer.Method, answer.PathAndQuery, (int)answer.Status, answer.ContentType, answer.Body));
        var dossier = _env.Simulators.Truth.Entries[0].MaHoSo;

        _env.Simulators.ProvincialFaults.StartOutage();
        try
        {
            // Nothing has asked for the agencies yet: without them there is no figure and no list.
            foreach (var path in new[] { "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31", "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31" })
            {
                var answer = await ApiAnswer.GetAsync(_env.Http, path);
                answer.AssertProblem(HttpStatusCode.ServiceUnavailable, "Try again later");
                Fits(answer);
            }
            var resync = await ApiAnswer.PostAsync(_env.Http, $"/api/dossiers/{dossier}/resync");
            resync.AssertProblem(HttpStatusCode.ServiceUnavailable, "Try again later");
            Fits(resync);
        }
        finally
        {
            _env.Simulators.ProvincialFaults.EndOutage();
        }

        // Once the agencies are known, the figure and the list go on from what the project holds, and say where
        // the received count comes from.
        await fixture.ProvincialAvailableAsync();
        (await ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31")).AssertOk();
        _env.Simulators.ProvincialFaults.StartOutage();
        try
        {
            var answer = await ApiAnswer.GetAsync(_env.Http, "/api/indicators/sync-rate?from=2025-01-01&to=2025-12-31");
            Assert.False(string.IsNullOrWhiteSpace(answer.AssertOk()["receivedSource"]?.GetValue<string>()), answer.ToString());
            Fits(answer);
            var list = await ApiAnswer.GetAsync(_env.Http, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31");
            list.AssertOk();
            Fits(list);
        }
        finally
        {
            _env.Simulators.ProvincialFaults.EndOutage();
        }
        await fixture.ProvincialAvailableAsync();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}

/// <summary>A small province, not reconciled, whose host's repair poller is stopped: what is queued stays queued.</summary>
public sealed class QuietProvinceFixture : IAsyncLifetime
{
    private readonly AzuriteFixture _azurite = new();
    public SyncEnvironment Env { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _azurite.InitializeAsync();
        Env = await SyncEnvironment.StartAsync(_azurite, new SimulatorOptions
        {
            Seed = 20250766,
            DossierCount = 60,
            ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
        });
        await Env.App.Services.GetServices<IHostedService>().OfType<RepairQueuePoller>().Single().StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// Waits until the host reaches the provincial system again after an outage (its client may still be backing
    /// off): a resync of an unknown dossier is a 404 again. It reads no agency, so the agency cache stays as it was.
    /// </summary>
    public async Task ProvincialAvailableAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var answer = await ApiAnswer.PostAsync(Env.Http, "/api/dossiers/000.00.19.H19-991231-99999/resync");
            if (answer.Status == HttpStatusCode.NotFound) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the provincial system did not come back: " + answer);
            await Task.Delay(500);
        }
    }

    public async Task DisposeAsync()
    {
        await Env.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}
