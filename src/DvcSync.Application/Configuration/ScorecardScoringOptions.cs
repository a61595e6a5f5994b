using DvcSync.Core.Indicators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.Application.Configuration;

/// <summary>
/// The scoring of the scorecard's indicators (<c>Indicators:&lt;id&gt;:MaxPoints</c>, <c>:Threshold</c>):
/// <c>points = min(max, rate / threshold × max)</c>. The shipped values are <see cref="Scorecard766"/>'s: the thresholds
/// indicators-766.md gives, and weights that are placeholders within its group totals until the province's dashboard
/// says otherwise (README, "Configuration"). Indicator 1.4 is scored by <see cref="SyncRateScoringOptions"/>, which
/// both routes read; <c>Indicators:1.4:*</c>, when set, overrides <c>Indicators:SyncRate:*</c> there.
/// </summary>
public sealed class ScorecardScoringOptions
{
    public const string SectionName = "Indicators";

    [ConfigurationKeyName("1.4:MaxPoints"), SettingRange(0, 100)]
    public double? SyncRateMaxPoints { get; set; }

    [ConfigurationKeyName("1.4:Threshold"), SettingRange(0.0001, 1)]
    public double? SyncRateThreshold { get; set; }

    [ConfigurationKeyName("2.1:MaxPoints"), SettingRange(0, 100)]
    public double OnTimeMaxPoints { get; set; } = Default(Scorecard766.OnTime).MaxPoints;

    [ConfigurationKeyName("2.1:Threshold"), SettingRange(0.0001, 1)]
    public double OnTimeThreshold { get; set; } = Default(Scorecard766.OnTime).Threshold;

    [ConfigurationKeyName("3.3:MaxPoints"), SettingRange(0, 100)]
    public double OnlineSubmissionMaxPoints { get; set; } = Default(Scorecard766.OnlineSubmission).MaxPoints;

    [ConfigurationKeyName("3.3:Threshold"), SettingRange(0.0001, 1)]
    public double OnlineSubmissionThreshold { get; set; } = Default(Scorecard766.OnlineSubmission).Threshold;

    [ConfigurationKeyName("3.6:MaxPoints"), SettingRange(0, 100)]
    public double OnlinePaymentMaxPoints { get; set; } = Default(Scorecard766.OnlinePayment).MaxPoints;

    [ConfigurationKeyName("3.6:Threshold"), SettingRange(0.0001, 1)]
    public double OnlinePaymentThreshold { get; set; } = Default(Scorecard766.OnlinePayment).Threshold;

    [ConfigurationKeyName("4.1:MaxPoints"), SettingRange(0, 100)]
    public double ElectronicResultMaxPoints { get; set; } = Default(Scorecard766.ElectronicResult).MaxPoints;

    [ConfigurationKeyName("4.1:Threshold"), SettingRange(0.0001, 1)]
    public double ElectronicResultThreshold { get; set; } = Default(Scorecard766.ElectronicResult).Threshold;

    [ConfigurationKeyName("4.3:MaxPoints"), SettingRange(0, 100)]
    public double DigitisedReuseMaxPoints { get; set; } = Default(Scorecard766.DigitisedReuse).MaxPoints;

    [ConfigurationKeyName("4.3:Threshold"), SettingRange(0.0001, 1)]
    public double DigitisedReuseThreshold { get; set; } = Default(Scorecard766.DigitisedReuse).Threshold;

    [ConfigurationKeyName("4.5:MaxPoints"), SettingRange(0, 100)]
    public double PopulationDataMaxPoints { get; set; } = Default(Scorecard766.PopulationData).MaxPoints;

    [ConfigurationKeyName("4.5:Threshold"), SettingRange(0.0001, 1)]
    public double PopulationDataThreshold { get; set; } = Default(Scorecard766.PopulationData).Threshold;

    /// <summary>The scoring of every indicator, 1.4's as the sync-rate route scores it.</summary>
    public IReadOnlyDictionary<string, IndicatorScoring> Scoring(SyncRateScoringOptions syncRate) => new Dictionary<string, IndicatorScoring>(StringComparer.Ordinal)
    {
        [Scorecard766.SyncRate] = syncRate.Scoring,
        [Scorecard766.OnTime] = new(OnTimeMaxPoints, OnTimeThreshold),
        [Scorecard766.OnlineSubmission] = new(OnlineSubmissionMaxPoints, OnlineSubmissionThreshold),
        [Scorecard766.OnlinePayment] = new(OnlinePaymentMaxPoints, OnlinePaymentThreshold),
        [Scorecard766.ElectronicResult] = new(ElectronicResultMaxPoints, ElectronicResultThreshold),
        [Scorecard766.DigitisedReuse] = new(DigitisedReuseMaxPoints, DigitisedReuseThreshold),
        [Scorecard766.PopulationData] = new(PopulationDataMaxPoints, PopulationDataThreshold),
    };

    /// <summary><c>Indicators:1.4:*</c> set wins over <c>Indicators:SyncRate:*</c>: the id is the name the scorecard documents.</summary>
    public void ApplyTo(SyncRateScoringOptions syncRate)
    {
        if (SyncRateMaxPoints is { } maxPoints) syncRate.MaxPoints = maxPoints;
        if (SyncRateThreshold is { } threshold) syncRate.Threshold = threshold;
    }

    private static IndicatorScoring Default(string id) => Scorecard766.Indicators.Single(i => i.Id == id).DefaultScoring;
}

[OptionsValidator]
public sealed partial class ScorecardScoringOptionsValidator : IValidateOptions<ScorecardScoringOptions>;
