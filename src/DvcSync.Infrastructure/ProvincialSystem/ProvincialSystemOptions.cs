using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>The provincial one-stop system's read API (configuration section <c>ProvincialSystem</c>).</summary>
public sealed class ProvincialSystemOptions
{
    public const string SectionName = "ProvincialSystem";

    public string BaseUrl { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>Never logged, never part of <see cref="ToString"/> or of an error message.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Per-attempt time-out of one HTTP request.</summary>
    public double TimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// The largest answer read (64 KiB–512 MiB, default 16 MiB): a page over it is asked for again with half the limit,
    /// down to one dossier; a single dossier over it is an error naming this setting.
    /// </summary>
    public long MaxPageBytes { get; set; } = DefaultMaxPageBytes;

    public const long DefaultMaxPageBytes = 16L * 1024 * 1024;

    public Uri BaseUri => new(BaseUrl.Trim().TrimEnd('/'), UriKind.Absolute);

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    public override string ToString() =>
        $"ProvincialSystem {{ BaseUrl = {BaseUrl}, ClientId = {ClientId}, ClientSecret = ***, TimeoutSeconds = {TimeoutSeconds}, MaxPageBytes = {MaxPageBytes} }}";
}

/// <summary>Start-up validation: every message names the configuration key to fix.</summary>
internal sealed class ProvincialSystemOptionsValidator : IValidateOptions<ProvincialSystemOptions>
{
    public ValidateOptionsResult Validate(string? name, ProvincialSystemOptions options)
    {
        const string s = ProvincialSystemOptions.SectionName;
        var failures = new List<string>();
        if (ExternalSystemUrl.Problem($"{s}:BaseUrl", options.BaseUrl) is { } baseUrlProblem)
            failures.Add(baseUrlProblem);
        if (string.IsNullOrWhiteSpace(options.ClientId))
            failures.Add($"{s}:ClientId is required");
        if (string.IsNullOrEmpty(options.ClientSecret))
            failures.Add($"{s}:ClientSecret is required");
        if (!(options.TimeoutSeconds is >= 0.05 and <= 600))
            failures.Add($"{s}:TimeoutSeconds must be between 0.05 and 600 (default 30)");
        if (options.MaxPageBytes is < 64 * 1024 or > 512L * 1024 * 1024)
            failures.Add($"{s}:MaxPageBytes must be between 65536 and 536870912 (default {ProvincialSystemOptions.DefaultMaxPageBytes})");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
