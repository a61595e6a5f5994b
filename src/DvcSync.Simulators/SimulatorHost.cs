using System.Text.Json.Nodes;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.ProvincialSystem;
using DvcSync.Simulators.Seeding;
using Microsoft.AspNetCore.Builder;

namespace DvcSync.Simulators;

/// <summary>How the portal's copy of a dossier compares with the source.</summary>
public enum PortalCopyState
{
    /// <summary>The portal does not hold it.</summary>
    Missing,
    /// <summary>Held, and the fields that matter (status, dates, procedure, agency, channel) equal the source's.</summary>
    Current,
    /// <summary>Held, but some of those fields differ.</summary>
    Stale,
}

/// <summary>
/// Both simulators in-process, each its own Kestrel app on 127.0.0.1: start with <see cref="StartAsync"/>, stop
/// with <see cref="DisposeAsync"/>.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private static readonly string[] ComparedFields =
    [
        "MaTTHC", "MaDonVi", "TrangThaiHoSo", "KenhThucHien", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi",
        "DuocThanhToanTrucTuyen", "HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID",
    ];

    private readonly WebApplication _portalApp;
    private readonly WebApplication _provincialApp;
    private int _disposed;

    private SimulatorHost(SimulatorOptions options, ScenarioGenerator scenario, PortalState portal, ProvincialState provincial,
        WebApplication portalApp, WebApplication provincialApp)
    {
        Options = options;
        Scenario = scenario;
        Portal = portal;
        Provincial = provincial;
        _portalApp = portalApp;
        _provincialApp = provincialApp;
        PortalPort = SimWebApp.BoundPort(portalApp);
        ProvincialPort = SimWebApp.BoundPort(provincialApp);
        Credentials = new SimulatorCredentials(options.PortalUsername, options.PortalPassword, options.PortalDstCode, options.PortalMaDonVi,
            options.ProvincialClientId, options.ProvincialClientSecret);
    }

    public SimulatorOptions Options { get; }
    public int PortalPort { get; }
    public int ProvincialPort { get; }
    /// <summary>e.g. <c>http://127.0.0.1:7201</c> (no trailing slash): the portal's <c>/auth</c> and <c>/service</c> are under it.</summary>
    public string PortalBaseUrl => $"http://127.0.0.1:{PortalPort}";
    /// <summary>e.g. <c>http://127.0.0.1:7202</c> (no trailing slash): <c>/connect/token</c> and <c>/api/v1/...</c> are under it.</summary>
    public string ProvincialBaseUrl => $"http://127.0.0.1:{ProvincialPort}";
    public SimulatorCredentials Credentials { get; }
    public TimeProvider Clock => Options.TimeProvider;
    public ScenarioGenerator Scenario { get; }
    public GroundTruth Truth => Scenario.Truth;
    public PortalState Portal { get; }
    public ProvincialState Provincial { get; }
    public FaultSwitch PortalFaults => Portal.Faults;
    public FaultSwitch ProvincialFaults => Provincial.Faults;

    public static async Task<SimulatorHost> StartAsync(SimulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        var clock = options.TimeProvider;
        var scenarioOptions = options.Scenario.Copy();
        scenarioOptions.Seed = options.Seed;
        scenarioOptions.DossierCount = options.DossierCount;
        scenarioOptions.Start = options.ScenarioStart;
        scenarioOptions.Now = options.ScenarioNow;
        var scenario = new ScenarioGenerator(scenarioOptions, clock.GetUtcNow());

        var portal = new PortalState(new PortalSettings
        {
            Username = options.PortalUsername,
            Password = options.PortalPassword,
            DstCode = options.PortalDstCode,
            MaDonVi = options.PortalMaDonVi,
            RateLimitPerSecond = options.PortalRateLimitPerSecond,
            Latency = options.PortalLatency,
            SessionTtl = options.PortalSessionTtl,
            SuccessCode = options.PortalSuccessCode,
            AlreadyExistsCode = options.PortalAlreadyExistsCode,
            ErrorCodesAsNumbers = options.PortalErrorCodesAsNumbers,
            QuoteApplicant = options.PortalQuoteApplicant,
        }, clock, scenario.Catalogue, scenario, options.PortalFaultSeed);
        var provincial = new ProvincialState(new ProvincialSettings
        {
            ClientId = options.ProvincialClientId,
            ClientSecret = options.ProvincialClientSecret,
            TokenLifetime = options.ProvincialTokenLifetime,
            Latency = options.ProvincialLatency,
        }, clock, scenario, options.ProvincialFaultSeed);

        var portalApp = SimWebApp.Create(options.PortalPort, options.ConsoleLogging);
        PortalServer.Map(portalApp, portal, scenario.Truth);
        var provincialApp = SimWebApp.Create(options.ProvincialPort, options.ConsoleLogging);
        ProvincialServer.Map(provincialApp, provincial, scenario.Truth);
        try
        {
            await portalApp.StartAsync(cancellationToken).ConfigureAwait(false);
            await provincialApp.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await portalApp.DisposeAsync().ConfigureAwait(false);
            await provincialApp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new SimulatorHost(options, scenario, portal, provincial, portalApp, provincialApp);
    }

    /// <summary>Whether the portal holds a dossier.</summary>
    public bool PortalHolds(string maHoSo) => Portal.Holds(maHoSo);

    /// <summary>Compares the portal's copy with the provincial one on the fields that matter (codes compared as text).</summary>
    public PortalCopyState ComparePortalCopy(string maHoSo)
    {
        var held = Portal.Get(maHoSo);
        if (held is null) return PortalCopyState.Missing;
        var source = Provincial.GetDossier(maHoSo);
        if (source is null) return PortalCopyState.Stale;
        return ComparedFields.All(f => Norm(SimJson.Str(held, f)) == Norm(SimJson.Str(source, f)))
            ? PortalCopyState.Current
            : PortalCopyState.Stale;
    }

    /// <summary>
    /// The indicator 1.4 figures computed independently of the project: dossiers received in the range (the
    /// provincial system's received counts, optionally of one agency's own dossiers) and those of them the portal holds.
    /// </summary>
    public (int Received, int Held) SyncFigures(DateOnly from, DateOnly to, string? maDonVi = null)
    {
        var codes = Provincial.ReceivedCodes(from, to, maDonVi);
        return (codes.Count, codes.Count(Portal.Holds));
    }

    /// <summary>The dossiers whose portal copy is missing or stale right now (ignoring ones the portal would refuse is up to the caller).</summary>
    public IReadOnlyList<string> Divergent() =>
        Provincial.Codes().Where(c => ComparePortalCopy(c) != PortalCopyState.Current).ToList();

    public JsonObject Describe() => new()
    {
        ["portal"] = PortalBaseUrl,
        ["provincial"] = ProvincialBaseUrl,
        ["dossiers"] = Provincial.Count,
        ["portalHolds"] = Portal.Count,
    };

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await Task.WhenAll(_portalApp.StopAsync(timeout.Token), _provincialApp.StopAsync(timeout.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // connections still open after the timeout are dropped by DisposeAsync
        }
        await _portalApp.DisposeAsync().ConfigureAwait(false);
        await _provincialApp.DisposeAsync().ConfigureAwait(false);
    }

    private static string Norm(string? s) => string.IsNullOrWhiteSpace(s) ? "" : s.Trim();
}
