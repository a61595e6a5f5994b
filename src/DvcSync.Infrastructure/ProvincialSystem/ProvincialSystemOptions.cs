using System.ComponentModel.DataAnnotations;
using DvcSync.Application.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>The provincial one-stop system's read API (configuration section <c>ProvincialSystem</c>).</summary>
public sealed class ProvincialSystemOptions : IValidatableObject
{
    public const string SectionName = "ProvincialSystem";

    /// <summary>Checked in <see cref="Validate"/>.</summary>
    public string BaseUrl { get; set; } = "";

    [RequiredSetting]
    public string ClientId { get; set; } = "";

    /// <summary>Never logged, never part of <see cref="ToString"/> or of an error message.</summary>
    [RequiredSetting]
    public string ClientSecret { get; set; } = "";

    /// <summary>Per-attempt time-out of one HTTP request.</summary>
    [SettingRange(0.05, 600)]
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The largest answer read (64 KiB–512 MiB, default 16 MiB): a page over it is asked for again with half the limit,
    /// down to one dossier; a single dossier over it is an error naming this setting.
    /// </summary>
    [SettingRange(64 * 1024, 512L * 1024 * 1024)]
    public long MaxPageBytes { get; set; } = DefaultMaxPageBytes;

    public const long DefaultMaxPageBytes = 16L * 1024 * 1024;

    public Uri BaseUri => new(BaseUrl.Trim().TrimEnd('/'), UriKind.Absolute);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public override string ToString() =>
        $"ProvincialSystem {{ BaseUrl = {BaseUrl}, ClientId = {ClientId}, ClientSecret = ***, TimeoutSeconds = {TimeoutSeconds}, MaxPageBytes = {MaxPageBytes} }}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ExternalSystemUrl.Problem($"{SectionName}:BaseUrl", BaseUrl) is { } baseUrlProblem)
            yield return new ValidationResult(baseUrlProblem);
    }
}

[OptionsValidator]
internal sealed partial class ProvincialSystemOptionsValidator : IValidateOptions<ProvincialSystemOptions>;
