using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators;

/// <summary>Everything <see cref="SimulatorHost.StartAsync"/> needs. Defaults are the demo's.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Port of the national portal simulator on 127.0.0.1; 0 = any free port.</summary>
    public int PortalPort { get; set; }
    /// <summary>Port of the provincial system simulator on 127.0.0.1; 0 = any free port.</summary>
    public int ProvincialPort { get; set; }

    public int Seed { get; set; } = 42;
    public int DossierCount { get; set; } = 5000;
    /// <summary>The clock of both simulators (sessions, tokens, rate-limit window, dates they stamp, the scenario's now). Inject a <see cref="Hosting.ManualClock"/> in tests.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
    /// <summary>Earliest NgayTiepNhan of the seed.</summary>
    public DateTimeOffset ScenarioStart { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));
    /// <summary>The scenario's "now" (latest date of the seed); default the clock at start.</summary>
    public DateTimeOffset? ScenarioNow { get; set; }
    /// <summary>Category fractions and agency structure; <see cref="ScenarioOptions.Seed"/>, <see cref="ScenarioOptions.DossierCount"/>,
    /// <see cref="ScenarioOptions.Start"/> and <see cref="ScenarioOptions.Now"/> are taken from this class.</summary>
    public ScenarioOptions Scenario { get; set; } = new();

    public string PortalUsername { get; set; } = "dvcsync";
    public string PortalPassword { get; set; } = "dvcsync-demo";
    public string PortalDstCode { get; set; } = "H19";
    public string PortalMaDonVi { get; set; } = "000.00.00.H19";
    /// <summary>Requests per any one-second window before HTTP 429 (0 = unlimited).</summary>
    public int PortalRateLimitPerSecond { get; set; } = 20;
    public TimeSpan PortalLatency { get; set; } = TimeSpan.Zero;
    public TimeSpan PortalSessionTtl { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>"0", or "00" as older adapter versions answer.</summary>
    public string PortalSuccessCode { get; set; } = "0";
    /// <summary>"-3", or "3" as some adapters answer.</summary>
    public string PortalAlreadyExistsCode { get; set; } = "-3";
    /// <summary>Answer error_code as a JSON number rather than a string (the contract says a client must accept both).</summary>
    public bool PortalErrorCodesAsNumbers { get; set; }
    /// <summary>Refusal and failure messages quote the dossier's applicant (name, ID numbers, phone, e-mail), as a careless adapter might.</summary>
    public bool PortalQuoteApplicant { get; set; }

    public string ProvincialClientId { get; set; } = "dvcsync";
    public string ProvincialClientSecret { get; set; } = "dvcsync-demo-secret";
    public TimeSpan ProvincialTokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan ProvincialLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Seeds of the fault decisions (portal, provincial).</summary>
    public int PortalFaultSeed { get; set; } = 1;
    public int ProvincialFaultSeed { get; set; } = 2;

    /// <summary>Console logging of the two servers (warnings and errors only; never request bodies).</summary>
    public bool ConsoleLogging { get; set; }
}

/// <summary>The credentials both simulators accept.</summary>
public sealed record SimulatorCredentials(
    string PortalUsername,
    string PortalPassword,
    string PortalDstCode,
    string PortalMaDonVi,
    string ProvincialClientId,
    string ProvincialClientSecret);
