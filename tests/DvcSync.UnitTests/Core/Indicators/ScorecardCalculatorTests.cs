using System.Text.Json.Nodes;
using DvcSync.Core.Indicators;
using DvcSync.Core.Dossiers;

namespace DvcSync.UnitTests.Core.Indicators;

/// <summary>
/// The scorecard from dossiers to points: each dossier's facts are read, turned into counter increments and summed
/// over the period's rows as storage would, and the expectations are worked out by hand in the comments. Default
/// scoring: 1.4 (2 points, threshold 1.0), 2.1 (20, 1.0), 3.3 (4.4, 0.5), 3.6/4.1/4.5 (4.4, 1.0), 4.3 (4.4, 0.8).
/// </summary>
public class ScorecardCalculatorTests
{
    private const double Precision = 1e-9;
    private static readonly DateOnly Jan1 = new(2025, 1, 1);
    private static readonly DateOnly Jan31 = new(2025, 1, 31);
    private static readonly DateOnly Mar1 = new(2025, 3, 1);
    private static readonly ScorePeriod January = ScorePeriod.Of(Jan1, Jan31, Mar1);
    private static readonly Dictionary<string, IReadOnlySet<string>> NoChildren = [];

    /// <summary>A dossier in person, in processing, due 31 Jan, received when told.</summary>
    private static DossierBuilder Dossier(string received, int status = 4, string due = "20250131170000") =>
        new DossierBuilder().With("NgayTiepNhan", received).With("NgayHenTra", due).With("KenhThucHien", "1").Status(status);

    private static DossierBuilder Ended(string received, int status, string end, string due) =>
        Dossier(received, status, due).With("NgayKetThucXuLy", end);

    /// <summary>Scorecard rows of a province's agencies, kept as storage keeps them: one day row per contribution.</summary>
    private sealed class Ledger
    {
        private readonly Dictionary<string, List<ScoreRow>> _rows = [];

        public Ledger Add(string agency, DossierBuilder source, DossierBuilder? portal = null)
        {
            var sourceFacts = DossierFacts.Of(source.Dossier());
            var portalFacts = portal is null ? null : DossierFacts.Of(portal.Dossier());
            return Add(agency, ScoreContributions.Of(sourceFacts.ReceivedDay, sourceFacts, portalFacts));
        }

        public Ledger Add(string agency, ScoreContributions contributions)
        {
            if (!_rows.TryGetValue(agency, out var rows)) _rows[agency] = rows = [];
            rows.AddRange(contributions.Rows.Select(r => new ScoreRow(r.Key.Axis, r.Key.Side, r.Key.Day, r.Value.Copy())));
            return this;
        }

        public AgencyScoreInput Input(string agency, SyncCounts sync, ScorePeriod period) =>
            new(agency, sync, ScoreRows.SumPeriod(_rows.GetValueOrDefault(agency) ?? [], period.From, period.To));

        /// <summary>
        /// The same, with the month roll-ups storage keeps beside the day rows (read for periods of whole months; due
        /// days from the day rows when the period is judged inside a month).
        /// </summary>
        public AgencyScoreInput InputWithRollUps(string agency, SyncCounts sync, ScorePeriod period)
        {
            var days = _rows.GetValueOrDefault(agency) ?? [];
            return new(agency, sync, ScoreRows.SumPeriod(days, ScoreRows.RollUp(days), period));
        }
    }

    private static IndicatorScore Indicator(Scorecard card, string id) => card.Indicators.Single(i => i.Id == id);

    private static void AssertSide(ScoreFigures? side, long numerator, long denominator, double? rate, double points)
    {
        Assert.NotNull(side);
        Assert.Equal(numerator, side.Numerator);
        Assert.Equal(denominator, side.Denominator);
        if (rate is null) Assert.Null(side.Rate);
        else Assert.Equal(rate.Value, side.Rate!.Value, Precision);
        Assert.Equal(points, side.Points, Precision);
    }

    [Fact]
    public void Open_dossiers_are_judged_on_the_day_after_the_period_or_today_if_earlier()
    {
        Assert.Equal(new DateOnly(2025, 2, 1), ScorePeriod.Of(Jan1, Jan31, Mar1).EvaluationDay);
        Assert.Equal(new DateOnly(2025, 1, 20), ScorePeriod.Of(Jan1, Jan31, new DateOnly(2025, 1, 20)).EvaluationDay);
    }

    [Fact]
    public void On_time_counts_the_dossiers_received_or_processed_in_the_period_and_the_portal_judges_its_stale_copy()
    {
        var ledger = new Ledger()
            // A: received 20 Dec, returned 10 Jan before its due 15 Jan — in January only as processed: on time.
            .Add("X", Ended("20241220090000", 10, "20250110090000", "20250115170000"), Ended("20241220090000", 10, "20250110090000", "20250115170000"))
            // B: received 5 Jan, finished 12 Jan after its due 10 Jan: late.
            .Add("X", Ended("20250105090000", 9, "20250112090000", "20250110170000"), Ended("20250105090000", 9, "20250112090000", "20250110170000"))
            // C: received 6 Jan, returned 8 Jan, due 16 Jan: on time. The portal still holds it in processing, due
            //    16 Jan, which has passed by the evaluation day (1 Feb): late there.
            .Add("X", Ended("20250106090000", 10, "20250108090000", "20250116170000"), Dossier("20250106090000", 4, "20250116170000"))
            // D: received 1 Dec, ended 20 Dec: nothing to do with January.
            .Add("X", Ended("20241201090000", 9, "20241220090000", "20241210170000"), Ended("20241201090000", 9, "20241220090000", "20241210170000"))
            // E: received 20 Jan, in processing, due 3 Feb: not late on 1 Feb.
            .Add("X", Dossier("20250120090000", 4, "20250203170000"), Dossier("20250120090000", 4, "20250203170000"))
            // F: received 21 Jan, in processing, due 28 Jan: late.
            .Add("X", Dossier("20250121090000", 4, "20250128170000"), Dossier("20250121090000", 4, "20250128170000"));

        // Received in January: B, C, E, F, all on the portal.
        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(4, 4, 4), January)], NoChildren);

        var onTime = Indicator(card, "2.1");
        Assert.True(onTime.Measured);
        // Source: B, C, E, F received + A processed = 5; on time C, E, A = 3; 3/5 = 0.6 → 0.6 × 20 = 12 points.
        AssertSide(onTime.Source, 3, 5, 0.6, 12);
        // Portal: the same 5; on time E, A = 2; 2/5 = 0.4 → 8 points. Sync costs 12 − 8 = 4.
        AssertSide(onTime.Portal, 2, 5, 0.4, 8);
        Assert.Equal(4, onTime.PointsLostToSync!.Value, Precision);
    }

    [Theory]
    [InlineData("2025-01-01", "2025-01-31", 0, 1)]
    [InlineData("2024-12-01", "2025-01-31", 1, 0)]
    [InlineData("2024-12-01", "2024-12-31", 1, 0)]
    [InlineData("2025-02-01", "2025-02-28", 0, 0)]
    public void A_dossier_received_in_one_period_and_ended_in_another_counts_once_in_a_period_that_holds_either(
        string from, string to, int receivedInPeriod, int endedOnlyInPeriod)
    {
        // Received 20 Dec 2024, returned 10 Jan 2025 before its due 15 Jan: on time.
        var ledger = new Ledger().Add("X", Ended("20241220090000", 10, "20250110090000", "20250115170000"));
        var period = ScorePeriod.Of(DateOnly.Parse(from), DateOnly.Parse(to), Mar1);

        var card = new ScorecardCalculator().Compute(period,
            [ledger.Input("X", new SyncCounts(receivedInPeriod, receivedInPeriod, 0), period)], NoChildren);

        // January: only processed in it (1). December–January: received and processed in it, still 1. December:
        // received in it (1). February: neither (0, no rate).
        var counted = receivedInPeriod + endedOnlyInPeriod;
        AssertSide(Indicator(card, "2.1").Source, counted, counted, counted == 0 ? null : 1.0, counted == 0 ? 0 : 20);
    }

    [Fact]
    public void Online_submission_is_multiplied_by_each_sides_sync_rate()
    {
        var ledger = new Ledger();
        // Eight dossiers seen, four of them online; the province reported ten received.
        for (var i = 1; i <= 4; i++)
        {
            var online = Dossier("20250110090000").With("KenhThucHien", "2");
            // The portal holds online 1 and 2 as they are, online 3 by a copy that says in person, not online 4.
            ledger.Add("X", online, i switch { 1 or 2 => online, 3 => Dossier("20250110090000"), _ => null });
        }
        // In person 1–3 are on the portal, 4 is not.
        for (var i = 1; i <= 4; i++) ledger.Add("X", Dossier("20250111090000"), i <= 3 ? Dossier("20250111090000") : null);

        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(10, 8, 6), January)], NoChildren);

        // 1.4: source 8/10 = 0.8 → 1.6 points; portal 6/10 = 0.6 → 1.2 (exactly the sync-rate route's figures).
        AssertSide(Indicator(card, "1.4").Source, 8, 10, 0.8, 1.6);
        AssertSide(Indicator(card, "1.4").Portal, 6, 10, 0.6, 1.2);
        // 3.3: source 4/10 × 0.8 = 0.32 → 0.32 / 0.5 × 4.4 = 2.816; portal 2/10 × 0.6 = 0.12 → 0.12 / 0.5 × 4.4 = 1.056.
        var online3 = Indicator(card, "3.3");
        AssertSide(online3.Source, 4, 10, 0.32, 2.816);
        AssertSide(online3.Portal, 2, 10, 0.12, 1.056);
        Assert.Equal(2.816 - 1.056, online3.PointsLostToSync!.Value, Precision);
    }

    [Fact]
    public void Online_payment_counts_only_dossiers_whose_fees_are_not_all_zero()
    {
        static JsonArray Fees(params JsonNode[] amounts) => new(amounts.Select(a => (JsonNode)new JsonObject { ["Gia"] = a }).ToArray());
        var exempt = Dossier("20250110090000").With("DanhSachLePhi", Fees(0, "0")).With("DuocThanhToanTrucTuyen", "1");
        var paid = Dossier("20250110090000").With("DanhSachLePhi", Fees("20000")).With("DuocThanhToanTrucTuyen", "1");
        var unpaid = Dossier("20250110090000").With("DanhSachLePhi", Fees(15000)).With("DuocThanhToanTrucTuyen", "0");
        var paidOnProvincePortal = Dossier("20250110090000").With("DanhSachLePhi", Fees("0", "5000")).With("DuocThanhToanTrucTuyen", 2);
        var free = Dossier("20250110090000");
        var ledger = new Ledger().Add("X", exempt, exempt).Add("X", paid, paid).Add("X", unpaid, unpaid)
            .Add("X", paidOnProvincePortal).Add("X", free, free);

        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(5, 5, 4), January)], NoChildren);

        // Source: fee-bearing = paid, unpaid, paidOnProvincePortal = 3 (exempt's fees are all 0, free has none);
        // paid online among them = 2; 2/3 × 4.4 = 2.9333…  Portal (without paidOnProvincePortal): 1/2 → 2.2.
        var payment = Indicator(card, "3.6");
        AssertSide(payment.Source, 2, 3, 2.0 / 3, 4.4 * 2 / 3);
        AssertSide(payment.Portal, 1, 2, 0.5, 2.2);
    }

    [Fact]
    public void A_result_link_missing_on_the_portals_copy_only_costs_electronic_results_on_the_portal_side()
    {
        var linked = new JsonArray(new JsonObject { ["DuongDanTepTinKetQua"] = "https://dvc.example.vn/kq/1.pdf" });
        var unlinked = new JsonArray(new JsonObject { ["DuongDanTepTinKetQua"] = "" });
        var first = Ended("20250110090000", 10, "20250112090000", "20250120170000").With("DanhSachGiayToKetQua", linked.DeepClone());
        var second = Ended("20250110090000", 10, "20250113090000", "20250120170000");
        var open = Dossier("20250110090000");
        var ledger = new Ledger()
            .Add("X", first, first)
            .Add("X", second.With("DanhSachGiayToKetQua", linked.DeepClone()), Ended("20250110090000", 10, "20250113090000", "20250120170000").With("DanhSachGiayToKetQua", unlinked))
            .Add("X", open, open);

        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(3, 3, 3), January)], NoChildren);

        // Returning a result: the two returned ones. Source 2/2 = 1 → 4.4; portal 1/2 = 0.5 → 2.2; lost 2.2.
        var results = Indicator(card, "4.1");
        AssertSide(results.Source, 2, 2, 1.0, 4.4);
        AssertSide(results.Portal, 1, 2, 0.5, 2.2);
        Assert.Equal(2.2, results.PointsLostToSync!.Value, Precision);
    }

    [Fact]
    public void Digitised_reuse_and_population_data_are_shares_of_the_dossiers_received()
    {
        static DossierBuilder Flags(JsonNode digitised, JsonNode vneid) =>
            Dossier("20250110090000").With("HoSoCoThanhPhanSoHoa", digitised).With("TaiKhoanDuocXacThucVoiVNeID", vneid);
        var ledger = new Ledger()
            .Add("X", Flags("1", "1"), Flags("1", "1"))
            .Add("X", Flags(1, 1), Flags("0", "0"))
            .Add("X", Flags("1", "0"), Flags("1", "0"))
            .Add("X", Flags("0", "0"));

        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(4, 4, 3), January)], NoChildren);

        // 4.3: source 3/4 = 0.75 → 0.75 / 0.8 × 4.4 = 4.125; portal 2/4 = 0.5 → 0.5 / 0.8 × 4.4 = 2.75.
        AssertSide(Indicator(card, "4.3").Source, 3, 4, 0.75, 4.125);
        AssertSide(Indicator(card, "4.3").Portal, 2, 4, 0.5, 2.75);
        // 4.5: source 2/4 = 0.5 → 2.2; portal 1/4 = 0.25 → 1.1.
        AssertSide(Indicator(card, "4.5").Source, 2, 4, 0.5, 2.2);
        AssertSide(Indicator(card, "4.5").Portal, 1, 4, 0.25, 1.1);
    }

    [Fact]
    public void A_portal_copy_without_NgayTiepNhan_counts_for_nothing_on_the_portal_side()
    {
        var dossier = Ended("20250110090000", 10, "20250112090000", "20250120170000").With("HoSoCoThanhPhanSoHoa", "1");
        var ledger = new Ledger().Add("X", dossier, Ended("20250110090000", 10, "20250112090000", "20250120170000")
            .With("HoSoCoThanhPhanSoHoa", "1").Without("NgayTiepNhan"));

        // The sync-rate route does not count that copy as synced either.
        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(1, 1, 0), January)], NoChildren);

        // 4.3: source 1/1 → min(4.4, 1 / 0.8 × 4.4) = 4.4; portal 0/1 = 0. 2.1: source 1/1 → 20; portal nothing to judge.
        AssertSide(Indicator(card, "4.3").Source, 1, 1, 1.0, 4.4);
        AssertSide(Indicator(card, "4.3").Portal, 0, 1, 0.0, 0);
        AssertSide(Indicator(card, "2.1").Source, 1, 1, 1.0, 20);
        AssertSide(Indicator(card, "2.1").Portal, 0, 0, null, 0);
    }

    [Fact]
    public void Dossiers_whose_facts_were_never_collected_make_an_indicator_unmeasured_never_zero()
    {
        var ledger = new Ledger()
            .Add("X", Dossier("20250110090000"), Dossier("20250110090000"))
            .Add("X", ScoreContributions.Of(new DateOnly(2025, 1, 12), null, null));

        var card = new ScorecardCalculator().Compute(January, [ledger.Input("X", new SyncCounts(2, 2, 2), January)], NoChildren);

        // 1.4 comes from the ledger's day counts: 2/2 on both sides.
        var syncRate = Indicator(card, "1.4");
        Assert.True(syncRate.Measured);
        AssertSide(syncRate.Portal, 2, 2, 1.0, 2);
        foreach (var id in (string[])["2.1", "3.3", "3.6", "4.1", "4.3", "4.5"])
        {
            var indicator = Indicator(card, id);
            Assert.False(indicator.Measured, id);
            Assert.Contains("1 of the dossiers", indicator.Reason);
            Assert.Null(indicator.Source);
            Assert.Null(indicator.Portal);
            Assert.Null(indicator.PointsLostToSync);
        }
    }

    [Fact]
    public void Agencies_are_ranked_by_the_points_the_province_gains_if_their_dossiers_reached_the_portal()
    {
        static ScoreTotals Digitised(long source, long portal)
        {
            var totals = new ScoreTotals();
            totals[ScoreAxis.Received, ScoreSide.Source].Add(ScoreCounterNames.Digitised, source);
            totals[ScoreAxis.Received, ScoreSide.Portal].Add(ScoreCounterNames.Digitised, portal);
            return totals;
        }
        AgencyScoreInput[] agencies =
        [
            new("S1", new SyncCounts(10, 10, 6), Digitised(5, 3)),
            new("S2", new SyncCounts(6, 6, 5), Digitised(4, 4)),
            new("S2.C", new SyncCounts(4, 4, 4), Digitised(4, 4)),
        ];
        var children = new Dictionary<string, IReadOnlySet<string>> { ["S1"] = new HashSet<string> { "S1" }, ["S2"] = new HashSet<string> { "S2", "S2.C" } };

        var card = new ScorecardCalculator().Compute(January, agencies, children);

        // Province on the portal: 1.4 = 15/20 = 0.75 → 1.5 points; 4.3 = 11/20 = 0.55 → 0.55 / 0.8 × 4.4 = 3.025.
        // S1 on the portal as the province holds it: 1.4 = (15 − 6 + 10)/20 = 0.95 → 1.9 (+0.4); 4.3 = (11 − 3 + 5)/20
        //   = 0.65 → 3.575 (+0.55); gains 0.95, with 10 − 6 = 4 unsynced.
        // S2 with its commune: 1.4 = (15 − 9 + 10)/20 = 0.8 → 1.6 (+0.1); 4.3 unchanged; gains 0.1, with 1 unsynced.
        Assert.Equal(["S1", "S2"], card.Agencies.Select(a => a.MaDonVi));
        Assert.Equal(0.95, card.Agencies[0].PointsLostToSync, Precision);
        Assert.Equal(4, card.Agencies[0].Unsynced);
        Assert.Equal(0.1, card.Agencies[1].PointsLostToSync, Precision);
        Assert.Equal(1, card.Agencies[1].Unsynced);
    }

    /// <summary>
    /// The ranking's definition, checked on a random province: an agency's gain is the province's portal points with
    /// that agency's subtree put on the portal as the province holds it (portal counters := source counters, synced :=
    /// seen), minus the province's portal points — computed here the long way, as a scorecard of its own.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Each_agencys_gain_equals_the_provinces_portal_points_with_that_subtree_repaired_minus_today(int seed)
    {
        var random = new Random(seed);
        string[] codes = ["D1", "D1.A", "D1.B", "D2", "D2.A", "D3"];
        var children = new Dictionary<string, IReadOnlySet<string>>
        {
            ["D1"] = new HashSet<string> { "D1", "D1.A", "D1.B" },
            ["D2"] = new HashSet<string> { "D2", "D2.A" },
            ["D3"] = new HashSet<string> { "D3" },
        };
        var period = ScorePeriod.Of(Jan1, Jan31, new DateOnly(2025, 1, 20));
        var ledger = new Ledger();
        var sync = codes.ToDictionary(c => c, _ => SyncCounts.Zero);
        for (var n = 0; n < 400; n++)
        {
            var agency = codes[random.Next(codes.Length)];
            // Received from mid-December to mid-February: some end in January having been received outside it.
            var received = new DateOnly(2024, 12, 15).AddDays(random.Next(0, 60));
            var ended = random.NextDouble() < 0.7;
            var fee = random.NextDouble() < 0.4;
            var source = new DossierFacts(received, ended ? TrangThaiHoSo.DaTraKetQua : TrangThaiHoSo.DangXuLy, random.NextDouble() < 0.6 ? 2 : 1,
                fee, fee && random.NextDouble() < 0.7, random.NextDouble() < 0.8, random.NextDouble() < 0.5, random.NextDouble() < 0.3,
                ended ? OnTimeJudgement.Ended(received.AddDays(random.Next(1, 30)), random.NextDouble() < 0.8)
                      : OnTimeJudgement.Open(received.AddDays(random.Next(1, 40))));
            var roll = random.NextDouble();
            var portal = roll < 0.15 ? null
                : roll < 0.35 ? source with { Status = TrangThaiHoSo.DangXuLy, HasResultLink = false, OnTime = OnTimeJudgement.Open(received.AddDays(3)) }
                : source;
            ledger.Add(agency, ScoreContributions.Of(received, source, portal));
            if (period.Contains(received)) sync[agency] = sync[agency].Plus(new SyncCounts(1, 1, portal is null ? 0 : 1));
        }
        var inputs = codes.Select(c => ledger.Input(c, sync[c], period)).ToList();

        var card = new ScorecardCalculator().Compute(period, inputs, children);

        static double PortalPoints(Scorecard scorecard) => scorecard.Indicators.Where(i => i.Measured).Sum(i => i.Portal!.Points);
        var today = PortalPoints(card);
        foreach (var (child, subtree) in children)
        {
            var repaired = inputs.Select(input =>
            {
                if (!subtree.Contains(input.MaDonVi)) return input;
                var counters = new ScoreTotals();
                foreach (var axis in (ScoreAxis[])[ScoreAxis.Received, ScoreAxis.Ended])
                {
                    counters[axis, ScoreSide.Source].Add(input.Counters[axis, ScoreSide.Source]);
                    counters[axis, ScoreSide.Portal].Add(input.Counters[axis, ScoreSide.Source]);
                }
                return input with { Sync = input.Sync with { Synced = input.Sync.Seen }, Counters = counters };
            }).ToList();
            var expected = PortalPoints(new ScorecardCalculator().Compute(period, repaired, NoChildren)) - today;
            var row = card.Agencies.Single(a => a.MaDonVi == child);
            Assert.Equal(expected, row.PointsLostToSync, Precision);
            Assert.Equal(subtree.Sum(c => sync[c].Seen - sync[c].Synced), row.Unsynced);
        }
        Assert.Contains(card.Agencies, a => a.PointsLostToSync > 0);
        Assert.Equal(card.Agencies.OrderByDescending(a => a.PointsLostToSync).ThenBy(a => a.MaDonVi, StringComparer.Ordinal), card.Agencies);
    }

    /// <summary>
    /// Month roll-ups name Ended-axis receptions by month (<c>r:yyyyMM</c>): a month counts as received in the period only
    /// when all of it lies in the period. Counters written here by hand, as a roll-up of January would hold them.
    /// </summary>
    [Fact]
    public void A_month_keyed_reception_counts_as_received_in_the_period_only_when_the_whole_month_is_in_it()
    {
        var totals = new ScoreTotals();
        // Received in January: 3 ended, all on time.
        totals[ScoreAxis.Received, ScoreSide.Source].Add("n", 3).Add("end", 3).Add("ok", 3);
        // Ended in January: those 3, and 2 received in December (1 on time).
        totals[ScoreAxis.Ended, ScoreSide.Source].Add("r:202501", 3).Add("rok:202501", 3).Add("r:202412", 2).Add("rok:202412", 1);

        var january = new ScorecardCalculator().Compute(January, [new AgencyScoreInput("X", new SyncCounts(3, 3, 3), totals)], NoChildren);
        var decemberToJanuary = ScorePeriod.Of(new DateOnly(2024, 12, 1), Jan31, Mar1);
        totals[ScoreAxis.Received, ScoreSide.Source].Add("n", 2).Add("end", 2).Add("ok", 1);
        var both = new ScorecardCalculator().Compute(decemberToJanuary, [new AgencyScoreInput("X", new SyncCounts(5, 5, 5), totals)], NoChildren);

        // January: received 3 (3 on time) + ended in it having been received in December 2 (1 on time) = 4/5.
        AssertSide(Indicator(january, "2.1").Source, 4, 5, 0.8, 16);
        // December–January: the five received in it, each once: 4/5 again, none added from the Ended axis.
        AssertSide(Indicator(both, "2.1").Source, 4, 5, 0.8, 16);
    }

    /// <summary>
    /// Roll-ups written before month keys hold day-keyed names (<c>r:yyyyMMdd</c>), and changes since then add or take
    /// away month-keyed ones in the same row: for a period of whole months a day and its month are in it or out of it
    /// together, so the mixed row sums to what either form alone would.
    /// </summary>
    [Fact]
    public void A_roll_up_holding_old_day_keyed_and_new_month_keyed_names_gives_the_figures_of_either_alone()
    {
        var old = new ScoreTotals();
        old[ScoreAxis.Received, ScoreSide.Source].Add("n", 4).Add("end", 4).Add("ok", 2);
        old[ScoreAxis.Ended, ScoreSide.Source].Add("r:20241220", 2).Add("rok:20241220", 1).Add("r:20241203", 1).Add("r:20250110", 4).Add("rok:20250110", 2);
        var mixed = new ScoreTotals();
        mixed[ScoreAxis.Received, ScoreSide.Source].Add("n", 4).Add("end", 4).Add("ok", 2);
        // One December dossier written before the change; the other two since. One January dossier moved from the old
        // name to the new one (−1 day-keyed, +1 month-keyed) as a change after the upgrade does.
        mixed[ScoreAxis.Ended, ScoreSide.Source].Add("r:20241203", 1).Add("r:202412", 2).Add("rok:202412", 1)
            .Add("r:20250110", 4 - 1).Add("rok:20250110", 2).Add("r:202501", 1);

        foreach (var period in (ScorePeriod[])[January, ScorePeriod.Of(new DateOnly(2024, 10, 1), new DateOnly(2025, 3, 31), Mar1)])
        {
            var expected = new ScorecardCalculator().Compute(period, [new AgencyScoreInput("X", new SyncCounts(4, 4, 4), old)], NoChildren);
            var actual = new ScorecardCalculator().Compute(period, [new AgencyScoreInput("X", new SyncCounts(4, 4, 4), mixed)], NoChildren);
            Assert.Equal(JsonNodeOf(expected), JsonNodeOf(actual));
        }
        // January: 4 received (2 on time) + 3 received in December and ended in January (1 on time) = 3/7.
        var card = new ScorecardCalculator().Compute(January, [new AgencyScoreInput("X", new SyncCounts(4, 4, 4), mixed)], NoChildren);
        AssertSide(Indicator(card, "2.1").Source, 3, 7, 3.0 / 7, 20.0 * 3 / 7);
    }

    /// <summary>
    /// Open dossiers named by due month are judged by it when the evaluation day begins a month; judged inside that
    /// month they would be a guess, so the calculator refuses them rather than count them either way.
    /// </summary>
    [Fact]
    public void Due_months_are_judged_on_the_first_of_a_month_and_refused_inside_one()
    {
        var totals = new ScoreTotals();
        totals[ScoreAxis.Received, ScoreSide.Source].Add("n", 3).Add("due:202502", 1).Add("due:202503", 2);
        var input = new AgencyScoreInput("X", new SyncCounts(3, 3, 3), totals);

        var judgedMarch1 = new ScorecardCalculator().Compute(ScorePeriod.Of(new DateOnly(2025, 1, 1), new DateOnly(2025, 2, 28), new DateOnly(2026, 1, 1)), [input], NoChildren);
        AssertSide(Indicator(judgedMarch1, "2.1").Source, 2, 3, 2.0 / 3, 20.0 * 2 / 3);

        var judgedMarch10 = ScorePeriod.Of(new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31), new DateOnly(2025, 3, 10));
        var refused = Assert.Throws<InvalidOperationException>(() => new ScorecardCalculator().Compute(judgedMarch10, [input], NoChildren));
        Assert.Contains("due:202503", refused.Message, StringComparison.Ordinal);
    }

    private static string JsonNodeOf(Scorecard card) => System.Text.Json.JsonSerializer.Serialize(card);

    /// <summary>
    /// The stored forms agree: a period of whole months summed from month roll-ups (receptions by month) gives the
    /// figures of the same period summed from day rows, and any other period is read from day rows only; the running
    /// period (judged today) included.
    /// </summary>
    [Theory]
    [InlineData(1, "2025-01-01", "2025-01-31", "2025-03-01")]
    [InlineData(2, "2025-01-01", "2025-03-31", "2025-06-01")]
    [InlineData(3, "2024-12-01", "2025-02-28", "2025-06-01")]
    [InlineData(4, "2025-01-01", "2025-12-31", "2025-01-20")]
    [InlineData(5, "2025-01-15", "2025-03-31", "2025-06-01")]
    [InlineData(6, "2025-01-13", "2025-01-19", "2025-06-01")]
    [InlineData(7, "2025-01-01", "2025-02-28", "2025-02-10")]
    [InlineData(8, "2025-01-01", "2025-03-31", "2025-03-01")]
    [InlineData(9, "2025-01-01", "2025-03-31", "2025-03-20")]
    public void Figures_from_month_roll_ups_equal_figures_from_day_rows(int seed, string from, string to, string today)
    {
        var random = new Random(seed);
        var period = ScorePeriod.Of(DateOnly.Parse(from), DateOnly.Parse(to), DateOnly.Parse(today));
        var ledger = new Ledger();
        var sync = SyncCounts.Zero;
        for (var n = 0; n < 600; n++)
        {
            var received = new DateOnly(2024, 11, 1).AddDays(random.Next(0, 150));
            var ended = random.NextDouble() < 0.7;
            var source = new DossierFacts(received, ended ? TrangThaiHoSo.DaTraKetQua : TrangThaiHoSo.DangXuLy, 2, false, false, true, false, false,
                ended ? OnTimeJudgement.Ended(received.AddDays(random.Next(0, 60)), random.NextDouble() < 0.7)
                      : OnTimeJudgement.Open(received.AddDays(random.Next(1, 60))));
            var portal = random.NextDouble() < 0.2 ? source with { OnTime = OnTimeJudgement.Open(received.AddDays(3)) } : source;
            ledger.Add("X", ScoreContributions.Of(received, source, portal));
            if (period.Contains(received)) sync = sync.Plus(new SyncCounts(1, 1, 1));
        }

        var fromDays = new ScorecardCalculator().Compute(period, [ledger.Input("X", sync, period)], NoChildren);
        var fromRollUps = new ScorecardCalculator().Compute(period, [ledger.InputWithRollUps("X", sync, period)], NoChildren);

        Assert.Equal(JsonNodeOf(fromDays), JsonNodeOf(fromRollUps));
        Assert.True(Indicator(fromDays, "2.1").Source!.Denominator > 0);
    }

    /// <summary>Day-bearing counter names are parsed by hand now; they must accept exactly what the framework's parser accepts.</summary>
    [Theory]
    [InlineData("20250131")]
    [InlineData("20240229")]
    [InlineData("20250229")]
    [InlineData("20251301")]
    [InlineData("20250100")]
    [InlineData("00000101")]
    [InlineData("99991231")]
    [InlineData("2025013")]
    [InlineData("202501311")]
    [InlineData("2025-1-1")]
    [InlineData(" 2025013")]
    [InlineData("2025013x")]
    [InlineData("")]
    [InlineData("none")]
    public void A_due_day_in_a_counter_name_parses_as_the_framework_parses_yyyyMMdd(string text)
    {
        var framework = DateOnly.TryParseExact(text, "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var expected);

        var ours = ScoreCounterNames.TryParseOpenDue("due:" + text, out var first, out var last);

        Assert.Equal(framework, ours);
        if (framework) Assert.Equal((expected, expected), (first, last));
    }

    [Fact]
    public void Configured_scoring_replaces_the_default_of_that_indicator_only()
    {
        var ledger = new Ledger().Add("X", Dossier("20250110090000").With("KenhThucHien", "2"));
        var calculator = new ScorecardCalculator(new Dictionary<string, IndicatorScoring> { ["3.3"] = new(10, 0.25) });

        var card = calculator.Compute(January, [ledger.Input("X", new SyncCounts(2, 1, 0), January)], NoChildren);

        // 3.3 source: 1/2 × (1.4: 1/2) = 0.25 → at the configured threshold 0.25, the configured 10 points.
        Assert.Equal(10, Indicator(card, "3.3").MaxPoints);
        AssertSide(Indicator(card, "3.3").Source, 1, 2, 0.25, 10);
        Assert.Equal(2, Indicator(card, "1.4").MaxPoints);
        Assert.Equal(["1.4", "2.1", "3.3", "3.6", "4.1", "4.3", "4.5"], card.Indicators.Select(i => i.Id));
        Assert.Equal("Tỷ lệ hồ sơ nộp trực tuyến", Indicator(card, "3.3").Name);
    }
}
