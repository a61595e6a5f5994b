using System.ComponentModel.DataAnnotations;
using DvcSync.Application.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>The national portal's sync adapter (configuration section <c>NationalPortal</c>).</summary>
public sealed class NationalPortalOptions : IValidatableObject
{
    public const string SectionName = "NationalPortal";

    /// <summary>Base URL under which <c>/auth</c> and <c>/service</c> live (checked in <see cref="Validate"/>).</summary>
    public string BaseUrl { get; set; } = "";

    [RequiredSetting]
    public string Username { get; set; } = "";

    /// <summary>Never logged, never part of <see cref="ToString"/>.</summary>
    [RequiredSetting]
    public string Password { get; set; } = "";

    /// <summary>Routing code sent as the <c>dstcode</c> header of every call.</summary>
    [RequiredSetting("the routing code sent as the dstcode header")]
    public string DstCode { get; set; } = "";

    /// <summary>Electronic ID code of the province that owns this system (<c>madonvi</c> of every service call).</summary>
    [RequiredSetting("the province's electronic ID code, e.g. 000.00.00.H19")]
    public string MaDonVi { get; set; } = "";

    /// <summary>The most requests the project sends the portal in any one-second window, sign-ins and retries included.</summary>
    [SettingRange(1, 1000)]
    public int MaxRequestsPerSecond { get; set; } = 20;

    /// <summary>Per-attempt time-out of one HTTP request.</summary>
    [SettingRange(0.05, 600)]
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How much longer one request may take to reach the portal than another sent a second later before the portal
    /// could count more than <see cref="MaxRequestsPerSecond"/> in one second (see <see cref="PortalRateGate"/>).
    /// </summary>
    [SettingRange(0, 1000)]
    public double RateMarginMilliseconds { get; set; } = 25;

    public Uri BaseUri => new(BaseUrl.Trim().TrimEnd('/'), UriKind.Absolute);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public override string ToString() =>
        $"NationalPortal {{ BaseUrl = {BaseUrl}, Username = {Username}, Password = ***, DstCode = {DstCode}, MaDonVi = {MaDonVi}, MaxRequestsPerSecond = {MaxRequestsPerSecond}, TimeoutSeconds = {TimeoutSeconds} }}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ExternalSystemUrl.Problem($"{SectionName}:BaseUrl", BaseUrl) is { } baseUrlProblem)
            yield return new ValidationResult(baseUrlProblem);
        if (!string.IsNullOrWhiteSpace(DstCode) && DstCode.Any(c => char.IsControl(c) || c > '\u007e'))
            yield return new ValidationResult($"{SectionName}:DstCode must be printable ASCII (it is sent as an HTTP header)");
    }
}

[OptionsValidator]
internal sealed partial class NationalPortalOptionsValidator : IValidateOptions<NationalPortalOptions>;
