using System.Text.Json.Nodes;
using DvcSync.Core.Indicators;

namespace DvcSync.UnitTests.Core.Indicators;

/// <summary>
/// Indicator 2.1 per dossier. The builder's dossier is received 2025-01-15 09:30:12 and due 2025-01-25 17:00:00
/// (Vietnam time); each case sets the status and dates it needs.
/// </summary>
public class OnTimeRulesTests
{
    private static readonly DateOnly Jan25 = new(2025, 1, 25);

    private static OnTimeJudgement Judge(DossierBuilder dossier) => DossierFacts.Of(dossier.Dossier()).OnTime;

    private static JsonObject Supplement(string requested, string resubmitted, string newDue = "") => new()
    {
        ["HoSoBoSungId"] = "5f1c0a",
        ["NoiDungBoSung"] = "Bổ sung bản sao giấy tờ",
        ["NgayBoSung"] = requested,
        ["NgayTiepNhanBoSung"] = resubmitted,
        ["NgayHenTraMoi"] = newDue,
    };

    [Fact]
    public void Finished_early_is_on_time_and_ends_on_its_finish_day_not_its_hand_over_day()
    {
        var judgement = Judge(new DossierBuilder().Status(10)
            .With("NgayKetThucXuLy", "20250120100000").With("NgayTra", "20250127090000"));

        // Finished 20 Jan 10:00 ≤ due 25 Jan 17:00; the hand-over on 27 Jan is after processing ended.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 20), true), judgement);
    }

    [Fact]
    public void Finished_late_is_late()
    {
        var judgement = Judge(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "20250127080000"));

        // 27 Jan 08:00 > 25 Jan 17:00.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 27), false), judgement);
    }

    [Fact]
    public void Finished_one_second_after_the_due_time_is_late_the_same_day()
    {
        var judgement = Judge(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "20250125170001"));
        Assert.Equal(OnTimeJudgement.Ended(Jan25, false), judgement);
    }

    [Fact]
    public void One_supplement_is_on_time_only_because_its_time_is_not_counted()
    {
        var judgement = Judge(new DossierBuilder().Status(10)
            .With("NgayKetThucXuLy", "20250128100000")
            .With("DanhSachHoSoBoSung", new JsonArray(Supplement("20250117090000", "20250121090000"))));

        // Ended 28 Jan 10:00, 2 d 17 h after the due time; the applicant held the dossier from 17 Jan 09:00 to
        // 21 Jan 09:00 = 4 days, so the effective due time is 29 Jan 17:00 and 28 Jan 10:00 is before it.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 28), true), judgement);
    }

    [Fact]
    public void A_supplement_that_names_a_new_due_date_already_moved_it_and_is_not_counted_twice()
    {
        var judgement = Judge(new DossierBuilder().Status(9)
            .With("NgayHenTra", "20250129170000")
            .With("NgayKetThucXuLy", "20250130100000")
            .With("DanhSachHoSoBoSung", new JsonArray(Supplement("20250117090000", "20250121090000", "20250129170000"))));

        // The agency moved the due date by the 4 days (25 Jan → 29 Jan 17:00) and says so in NgayHenTraMoi. Ended
        // 30 Jan 10:00 > 29 Jan 17:00: late. Adding the 4 days again would make it due 2 Feb and on time.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 30), false), judgement);
    }

    [Fact]
    public void Two_supplement_requests_are_late_even_when_finished_early()
    {
        var judgement = Judge(new DossierBuilder().Status(9)
            .With("NgayKetThucXuLy", "20250120100000")
            .With("DanhSachHoSoBoSung", new JsonArray(
                Supplement("20250116090000", "20250117090000"), Supplement("20250118090000", "20250119090000"))));

        // 20 Jan is before the due date, but more than one supplement request counts as late.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 20), false), judgement);
    }

    [Fact]
    public void Left_at_status_5_ends_at_the_request()
    {
        var judgement = Judge(new DossierBuilder().Status(5)
            .With("DanhSachHoSoBoSung", new JsonArray(Supplement("20250118100000", ""))));

        // The request of 18 Jan 10:00 ends it, before the due time 25 Jan 17:00.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 18), true), judgement);
    }

    [Fact]
    public void Left_at_status_5_after_two_requests_ends_at_the_last_one_and_is_late()
    {
        var judgement = Judge(new DossierBuilder().Status(5)
            .With("DanhSachHoSoBoSung", new JsonArray(Supplement("20250120100000", ""), Supplement("20250117100000", "20250118100000"))));

        // The later request (20 Jan) ends it, listed first or not; two requests make it late.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 20), false), judgement);
    }

    [Fact]
    public void Open_past_due_is_late_once_its_due_day_has_wholly_passed()
    {
        var judgement = Judge(new DossierBuilder().Status(4));

        Assert.Equal(OnTimeJudgement.Open(Jan25), judgement);
        // Judged on 26 Jan (the day after a period ending 25 Jan, or today): the due day 25 Jan is before it.
        Assert.False(judgement.OnTimeAt(new DateOnly(2025, 1, 26)));
    }

    [Fact]
    public void Open_not_yet_due_is_on_time()
    {
        var judgement = Judge(new DossierBuilder().Status(4));

        // Judged on 20 Jan, or on the due day itself: 25 Jan has not passed yet.
        Assert.True(judgement.OnTimeAt(new DateOnly(2025, 1, 20)));
        Assert.True(judgement.OnTimeAt(Jan25));
    }

    [Fact]
    public void Open_without_a_due_date_cannot_be_late()
    {
        var judgement = Judge(new DossierBuilder().Status(4).Without("NgayHenTra"));

        Assert.Equal(OnTimeJudgement.Open(null), judgement);
        Assert.True(judgement.OnTimeAt(new DateOnly(2099, 12, 31)));
    }

    [Fact]
    public void Open_with_two_supplement_requests_is_late_whatever_the_day()
    {
        var judgement = Judge(new DossierBuilder().Status(4)
            .With("DanhSachHoSoBoSung", new JsonArray(
                Supplement("20250116090000", "20250117090000"), Supplement("20250118090000", "20250119090000"))));

        Assert.Equal(OnTimeJudgement.OpenLate, judgement);
        Assert.False(judgement.OnTimeAt(new DateOnly(2025, 1, 16)));
    }

    [Fact]
    public void Open_after_one_supplement_is_due_later_by_the_supplement_time()
    {
        var judgement = Judge(new DossierBuilder().Status(4)
            .With("DanhSachHoSoBoSung", new JsonArray(Supplement("20250117090000", "20250121090000"))));

        // 25 Jan 17:00 + 4 days = 29 Jan 17:00.
        Assert.Equal(OnTimeJudgement.Open(new DateOnly(2025, 1, 29)), judgement);
    }

    [Theory]
    [InlineData("20250117090000", "20250121090000")]
    [InlineData("2025-01-17T09:00:00+07:00", "2025-01-21T09:00:00")]
    [InlineData("2025-01-17T02:00:00Z", "20250121090000")]
    [InlineData("2025-01-17 09:00:00", "2025-01-21T02:00:00+00:00")]
    [InlineData("2025-01-17T09:00:00.000+0700", "2025-01-21T09:00")]
    public void Supplement_dates_are_read_as_yyyyMMddHHmmss_or_ISO_8601_without_offset_meaning_Vietnam_time(string requested, string resubmitted)
    {
        var supplements = new JsonArray(Supplement(requested, resubmitted));

        // Every pair is 17 Jan 09:00 → 21 Jan 09:00 in Vietnam, exactly 4 days: due 29 Jan 17:00:00. Read as UTC, an
        // ISO date without offset would be 7 hours off and tip one of the two judgements.
        var atDue = Judge(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "20250129170000").With("DanhSachHoSoBoSung", supplements.DeepClone()));
        var secondLate = Judge(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "20250129170001").With("DanhSachHoSoBoSung", supplements.DeepClone()));

        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 29), true), atDue);
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 29), false), secondLate);
    }

    [Fact]
    public void An_unreadable_supplement_date_moves_nothing()
    {
        var judgement = Judge(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "20250128100000")
            .With("DanhSachHoSoBoSung", new JsonArray(Supplement("17/01/2025", "2025-01-21T09:00:00+07:00"))));

        // Without a readable request date the 4 days cannot be measured: due stays 25 Jan 17:00, so 28 Jan is late.
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 28), false), judgement);
    }

    [Theory]
    [InlineData("9999-12-31T20:00:00Z")]
    [InlineData("0001-01-01T03:00:00")]
    [InlineData("2025-02-30T09:00:00")]
    [InlineData("2025-01-17T25:00:00+07:00")]
    public void A_supplement_date_that_is_no_real_time_is_unreadable_not_a_crash(string requested)
    {
        var judgement = Judge(new DossierBuilder().Status(5).With("DanhSachHoSoBoSung", new JsonArray(Supplement(requested, ""))));

        // Left at status 5 with no readable request date: no end date, so it is judged as open, due 25 Jan.
        Assert.Equal(OnTimeJudgement.Open(Jan25), judgement);
    }

    [Fact]
    public void Refused_ends_at_NgayTuChoi()
    {
        var judgement = Judge(new DossierBuilder().Status(3).With("NgayTuChoi", "20250116080000"));
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 16), true), judgement);
    }

    [Fact]
    public void Returned_without_NgayKetThucXuLy_ends_at_NgayTra()
    {
        var judgement = Judge(new DossierBuilder().Status(10).With("NgayTra", "20250126090000"));
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 26), false), judgement);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(7)]
    public void Stopped_and_withdrawn_end_at_NgayKetThucXuLy(int status)
    {
        var judgement = Judge(new DossierBuilder().Status(status).With("NgayKetThucXuLy", "20250124090000"));
        Assert.Equal(OnTimeJudgement.Ended(new DateOnly(2025, 1, 24), true), judgement);
    }

    [Fact]
    public void A_final_dossier_without_a_usable_end_date_is_judged_as_an_open_one()
    {
        var judgement = Judge(new DossierBuilder().Status(9).With("NgayKetThucXuLy", "2025-13-45"));
        Assert.Equal(OnTimeJudgement.Open(Jan25), judgement);
    }
}
