using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>The national portal's sync adapter (configuration section <c>NationalPortal</c>).</summary>
public sealed class NationalPortalOptions
{
    public const string SectionName = "NationalPortal";

    /// <summary>Base URL under which <c>/auth</c> and <c>/service</c> live.</summary>
    public string BaseUrl { get; set; } = "";

    public string Username { get; set; } = "";

    /// <summary>Never logged, never part of <see cref="ToString"/>.</summary>
    public string Password { get; set; } = "";

    /// <summary>Routing code sent as the <c>dstcode</c> header of every call.</summary>
    public string DstCode { get; set; } = "";

    /// <summary>Electronic ID code of the province that owns this system (<c>madonvi</c> of every service call).</summary>
    public string MaDonVi { get; set; } = "";

    /// <summary>The most requests the project sends the portal in any one-second window, sign-ins and retries included.</summary>
    public int MaxRequestsPerSecond { get; set; } = 20;

    /// <summary>Per-attempt time-out of one HTTP request.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How much longer one request may take to reach the portal than another sent a second later before the portal
    /// could count more than <see cref="MaxRequestsPerSecond"/> in one second (see <see cref="PortalRateGate"/>).
    /// </summary>
    public double RateMarginMilliseconds { get; set; } = 25;

    public Uri BaseUri => new(BaseUrl.Trim().TrimEnd('/'), UriKind.Absolute);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public override string ToString() =>
        $"NationalPortal {{ BaseUrl = {BaseUrl}, Username = {Username}, Password = ***, DstCode = {DstCode}, MaDonVi = {MaDonVi}, MaxRequestsPerSecond = {MaxRequestsPerSecond}, TimeoutSeconds = {TimeoutSeconds} }}";
}

/// <summary>Start-up validation: every message names the configuration key to fix.</summary>
internal sealed class NationalPortalOptionsValidator : IValidateOptions<NationalPortalOptions>
{
    public ValidateOptionsResult Validate(string? name, NationalPortalOptions options)
    {
        const string s = NationalPortalOptions.SectionName;
        var failures = new List<string>();
        if (ExternalSystemUrl.Problem($"{s}:BaseUrl", options.BaseUrl) is { } baseUrlProblem)
            failures.Add(baseUrlProblem);
        if (string.IsNullOrWhiteSpace(options.Username))
            failures.Add($"{s}:Username is required");
        if (string.IsNullOrEmpty(options.Password))
            failures.Add($"{s}:Password is required");
        if (string.IsNullOrWhiteSpace(options.DstCode))
            failures.Add($"{s}:DstCode is required (the routing code sent as the dstcode header)");
        else if (options.DstCode.Any(c => char.IsControl(c) || c > '\u007e'))
            failures.Add($"{s}:DstCode must be printable ASCII (it is sent as an HTTP header)");
        if (string.IsNullOrWhiteSpace(options.MaDonVi))
            failures.Add($"{s}:MaDonVi is required (the province's electronic ID code, e.g. 000.00.00.H19)");
        if (options.RateMarginMilliseconds is < 0 or > 1000 || double.IsNaN(options.RateMarginMilliseconds))
            failures.Add($"{s}:RateMarginMilliseconds must be between 0 and 1000 (default 25)");
        if (options.MaxRequestsPerSecond is < 1 or > 1000)
            failures.Add($"{s}:MaxRequestsPerSecond must be between 1 and 1000 (default 20)");
        if (!(options.TimeoutSeconds is >= 0.05 and <= 600))
            failures.Add($"{s}:TimeoutSeconds must be between 0.05 and 600 (default 30)");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
