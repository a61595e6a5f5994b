using DvcSync.Core.Indicators;
using Microsoft.Extensions.Options;

namespace DvcSync.Application.Configuration;

/// <summary>
/// The scoring of indicator 1.4 (<c>Indicators:SyncRate</c>): <c>points = min(max, rate / threshold × max)</c>. The
/// shipped maximum is a placeholder for the weight the province's dashboard shows (README, "Configuration").
/// </summary>
public sealed class SyncRateScoringOptions
{
    public const string SectionName = "Indicators:SyncRate";

    [SettingRange(0, 100)]
    public double MaxPoints { get; set; } = 2.0;

    [SettingRange(0.0001, 1)]
    public double Threshold { get; set; } = 1.0;

    public IndicatorScoring Scoring => new(MaxPoints, Threshold);
}

[OptionsValidator]
public sealed partial class SyncRateScoringOptionsValidator : IValidateOptions<SyncRateScoringOptions>;
