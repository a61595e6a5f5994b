namespace DvcSync.Simulators.Seeding;

/// <summary>The seeded province. Everything is deterministic from <see cref="Seed"/> and <see cref="Now"/>.</summary>
public sealed class ScenarioOptions
{
    public int Seed { get; set; } = 42;
    public int DossierCount { get; set; } = 5000;
    /// <summary>Earliest NgayTiepNhan.</summary>
    public DateTimeOffset Start { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));
    /// <summary>"Now" of the scenario: no date of the seed is later. Default: the simulators' clock at start.</summary>
    public DateTimeOffset? Now { get; set; }
    /// <summary>Province suffix of every agency code, e.g. <c>H19</c> in <c>000.00.00.H19</c>.</summary>
    public string ProvinceSuffix { get; set; } = "H19";

    /// <summary>Fraction missing from the portal, flagged <c>TrangThaiDongBo "0"</c> with a <c>LoiDongBo</c> message.</summary>
    public double MissingFraction { get; set; } = 0.06;
    /// <summary>Fraction whose portal copy is older than the source (older status, or older due date).</summary>
    public double StaleFraction { get; set; } = 0.05;
    /// <summary>Fraction the portal refuses (unknown MaTTHC, 9/10 without NgayKetThucXuLy, final on the portal → "5", malformed NgayTiepNhan).</summary>
    public double RefusedFraction { get; set; } = 0.03;
    /// <summary>Fraction flagged <c>TrangThaiDongBo "1"</c> at the source but missing on the portal.</summary>
    public double FlaggedSyncedButMissingFraction { get; set; } = 0.03;
    /// <summary>Fraction at status 1 (submitted, not received): no NgayTiepNhan.</summary>
    public double NotYetReceivedFraction { get; set; } = 0.03;
    /// <summary>Fraction carrying fields beyond dossier.md.</summary>
    public double ExtraFieldsFraction { get; set; } = 0.05;
    /// <summary>Fraction with codes as JSON numbers instead of strings.</summary>
    public double NumericCodesFraction { get; set; } = 0.05;
    /// <summary>
    /// Fraction whose provincial system writes <c>00010101000000</c>, as several one-stop systems write "no date", in
    /// the dates the dossier has no value for (NgayTra, NgayTuChoi, NgayKetThucXuLy short of 9 or 10, NgayTiepNhan and
    /// NgayHenTra at status 1), and while it is open (1, 2, 4, 5, 6) in NgayHenTra, NgayKetThucXuLy and the exported
    /// NgayCapNhat; at status 2 in NgayTiepNhan too, which then counts in no day's received count. A quarter of those
    /// that the portal does not refuse or hold stale are left at status 2. The portal accepts every such value; a value
    /// the scenario makes malformed or missing on purpose is left so.
    /// </summary>
    public double NoDateMarkerFraction { get; set; }

    public int NewCommuneCount { get; set; } = 30;
    public int OldDistrictCount { get; set; } = 3;
    public int OldCommunesPerDistrict { get; set; } = 5;

    /// <summary>Load the portal with what it holds at start (current and stale copies, final-state conflicts).</summary>
    public bool PreloadPortal { get; set; } = true;

    /// <summary>
    /// A province whose every dossier is received, synced and current on the portal: what a long-running deployment
    /// leaves behind, the starting point of the steady-state benchmarks.
    /// </summary>
    public ScenarioOptions AllSyncedAndCurrent()
    {
        MissingFraction = 0;
        StaleFraction = 0;
        RefusedFraction = 0;
        FlaggedSyncedButMissingFraction = 0;
        NotYetReceivedFraction = 0;
        return this;
    }

    internal ScenarioOptions Copy() => (ScenarioOptions)MemberwiseClone();

    internal void Validate()
    {
        if (DossierCount < 0) throw new ArgumentException("DossierCount must not be negative.");
        var sum = MissingFraction + StaleFraction + RefusedFraction + FlaggedSyncedButMissingFraction + NotYetReceivedFraction;
        foreach (var f in new[] { MissingFraction, StaleFraction, RefusedFraction, FlaggedSyncedButMissingFraction, NotYetReceivedFraction, ExtraFieldsFraction, NumericCodesFraction, NoDateMarkerFraction })
            if (f is < 0 or > 1 || double.IsNaN(f)) throw new ArgumentException("Fractions must be between 0 and 1.");
        if (sum > 1.000001) throw new ArgumentException("The category fractions add up to more than 1.");
        if (NewCommuneCount < 0 || OldDistrictCount < 0 || OldCommunesPerDistrict < 0) throw new ArgumentException("Agency counts must not be negative.");
        if (string.IsNullOrWhiteSpace(ProvinceSuffix)) throw new ArgumentException("ProvinceSuffix is required.");
    }
}
