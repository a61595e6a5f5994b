using System.Diagnostics.Metrics;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.NationalPortal;
using DvcSync.Infrastructure.ProvincialSystem;
using DvcSync.Simulators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Adapters.Tests;

/// <summary>
/// Both simulators, in-process over real HTTP on 127.0.0.1, and both clients wired exactly as the hosts wire them
/// (<c>AddNationalPortalClient</c>, <c>AddProvincialSystemClient</c>) from configuration pointing at the simulators.
/// One per test: every test gets its own rate gate, session, token and counters.
/// </summary>
internal sealed class Harness : IAsyncDisposable
{
    private Harness(SimulatorHost sim, ServiceProvider services)
    {
        Sim = sim;
        Services = services;
        Stats = new PortalFigures(services.GetRequiredService<IMeterFactory>());
    }

    public SimulatorHost Sim { get; }
    public ServiceProvider Services { get; }
    public INationalPortal Portal => Services.GetRequiredService<INationalPortal>();
    public IProvincialSystem Provincial => Services.GetRequiredService<IProvincialSystem>();
    public PortalFigures Stats { get; }

    public static async Task<Harness> StartAsync(Action<SimulatorOptions>? simulator = null, Action<Dictionary<string, string?>>? settings = null)
    {
        var options = new SimulatorOptions { DossierCount = 300, Seed = 7 };
        simulator?.Invoke(options);
        var sim = await SimulatorHost.StartAsync(options);
        var values = new Dictionary<string, string?>
        {
            ["NationalPortal:BaseUrl"] = sim.PortalBaseUrl,
            ["NationalPortal:Username"] = sim.Credentials.PortalUsername,
            ["NationalPortal:Password"] = sim.Credentials.PortalPassword,
            ["NationalPortal:DstCode"] = sim.Credentials.PortalDstCode,
            ["NationalPortal:MaDonVi"] = sim.Credentials.PortalMaDonVi,
            ["NationalPortal:TimeoutSeconds"] = "10",
            ["ProvincialSystem:BaseUrl"] = sim.ProvincialBaseUrl,
            ["ProvincialSystem:ClientId"] = sim.Credentials.ProvincialClientId,
            ["ProvincialSystem:ClientSecret"] = sim.Credentials.ProvincialClientSecret,
            ["ProvincialSystem:TimeoutSeconds"] = "10",
        };
        settings?.Invoke(values);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddNationalPortalClient(configuration);
        services.AddProvincialSystemClient(configuration);
        return new Harness(sim, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

    public async ValueTask DisposeAsync()
    {
        Stats.Dispose();
        await Services.DisposeAsync();
        await Sim.DisposeAsync();
    }
}
