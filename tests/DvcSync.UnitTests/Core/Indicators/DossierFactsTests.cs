using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Indicators;

namespace DvcSync.UnitTests.Core.Indicators;

public class DossierFactsTests
{
    private static DossierFacts Facts(DossierBuilder dossier) => DossierFacts.Of(dossier.Dossier());

    private static JsonArray Fees(params JsonNode?[] amounts) =>
        new(amounts.Select(a => (JsonNode)new JsonObject { ["TenPhiLePhi"] = "Lệ phí", ["MaPhiLePhi"] = "LP1", ["Gia"] = a }).ToArray());

    [Fact]
    public void Reads_the_facts_of_a_dossier_whether_codes_are_strings_or_numbers()
    {
        var facts = Facts(new DossierBuilder().Status(10)
            .With("KenhThucHien", 2)
            .With("NgayKetThucXuLy", "20250120100000")
            .With("DuocThanhToanTrucTuyen", 2)
            .With("HoSoCoThanhPhanSoHoa", "1")
            .With("TaiKhoanDuocXacThucVoiVNeID", 1)
            .With("DanhSachLePhi", Fees("50000"))
            .With("DanhSachGiayToKetQua", new JsonArray(new JsonObject { ["DuongDanTepTinKetQua"] = "https://dvc.example.vn/kq/1.pdf" })));

        Assert.Equal(new DossierFacts(new DateOnly(2025, 1, 15), TrangThaiHoSo.DaTraKetQua, 2, FeeBearing: true, PaidOnline: true,
            HasResultLink: true, Digitised: true, VneidVerified: true, OnTimeJudgement.Ended(new DateOnly(2025, 1, 20), true)), facts);
        Assert.True(facts.ReturnsResult);
    }

    [Fact]
    public void A_missing_channel_counts_as_in_person_and_missing_flags_as_no()
    {
        var facts = Facts(new DossierBuilder().Without("KenhThucHien"));

        Assert.Equal(1, facts.Channel);
        Assert.False(facts.Online);
        Assert.False(facts.FeeBearing || facts.PaidOnline || facts.HasResultLink || facts.Digitised || facts.VneidVerified || facts.ReturnsResult);
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("1", true)]
    [InlineData("2", true)]
    [InlineData("3", false)]
    public void Paid_online_is_1_or_2(string code, bool paid) =>
        Assert.Equal(paid, Facts(new DossierBuilder().With("DuocThanhToanTrucTuyen", code)).PaidOnline);

    [Fact]
    public void Fees_that_are_all_zero_do_not_make_a_dossier_fee_bearing()
    {
        Assert.False(Facts(new DossierBuilder().With("DanhSachLePhi", Fees("0", 0, "0.00"))).FeeBearing);
        Assert.False(Facts(new DossierBuilder().With("DanhSachLePhi", new JsonArray())).FeeBearing);
        Assert.False(Facts(new DossierBuilder().Without("DanhSachLePhi")).FeeBearing);
    }

    [Fact]
    public void One_non_zero_fee_makes_it_fee_bearing_as_a_string_or_a_number()
    {
        Assert.True(Facts(new DossierBuilder().With("DanhSachLePhi", Fees("0", "15000"))).FeeBearing);
        Assert.True(Facts(new DossierBuilder().With("DanhSachLePhi", Fees(0, 20000))).FeeBearing);
    }

    [Fact]
    public void A_fee_with_a_missing_or_unreadable_amount_counts_as_charged()
    {
        Assert.True(Facts(new DossierBuilder().With("DanhSachLePhi", Fees("0", null))).FeeBearing);
        Assert.True(Facts(new DossierBuilder().With("DanhSachLePhi", Fees("mười nghìn"))).FeeBearing);
        Assert.True(Facts(new DossierBuilder().With("DanhSachLePhi", new JsonArray(new JsonObject { ["TenPhiLePhi"] = "Lệ phí" }))).FeeBearing);
    }

    [Fact]
    public void A_blank_result_link_is_no_electronic_result()
    {
        var blank = new JsonArray(new JsonObject { ["DuongDanTepTinKetQua"] = "" }, new JsonObject { ["DuongDanTepTinKetQua"] = "  " });
        var oneLink = new JsonArray(new JsonObject { ["DuongDanTepTinKetQua"] = "" }, new JsonObject { ["DuongDanTepTinKetQua"] = "https://dvc.example.vn/kq/2.pdf" });

        Assert.False(Facts(new DossierBuilder().Status(10).With("DanhSachGiayToKetQua", blank)).HasResultLink);
        Assert.True(Facts(new DossierBuilder().Status(10).With("DanhSachGiayToKetQua", oneLink)).HasResultLink);
    }

    [Theory]
    [InlineData(9, true)]
    [InlineData(10, true)]
    [InlineData(8, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public void A_result_is_returned_at_status_9_or_10(int status, bool returns) =>
        Assert.Equal(returns, Facts(new DossierBuilder().Status(status)).ReturnsResult);

    [Fact]
    public void The_compact_form_is_short_and_as_documented()
    {
        var facts = new DossierFacts(new DateOnly(2025, 1, 15), TrangThaiHoSo.DaTraKetQua, 2, true, true, true, true, false,
            OnTimeJudgement.Ended(new DateOnly(2025, 1, 20), true));

        Assert.Equal("1|20250115|10|2|FPLD|E20250120+", facts.ToCompact());
    }

    public static TheoryData<DossierFacts> EveryShape => new()
    {
        new DossierFacts(new DateOnly(2025, 1, 15), TrangThaiHoSo.DaTraKetQua, 2, true, true, true, true, true, OnTimeJudgement.Ended(new DateOnly(2025, 1, 20), true)),
        new DossierFacts(new DateOnly(2025, 1, 15), TrangThaiHoSo.DaXuLyXong, 3, false, false, false, false, false, OnTimeJudgement.Ended(new DateOnly(2025, 2, 1), false)),
        new DossierFacts(new DateOnly(2024, 12, 31), TrangThaiHoSo.DangXuLy, 1, true, false, false, true, false, OnTimeJudgement.Open(new DateOnly(2025, 1, 9))),
        new DossierFacts(new DateOnly(2025, 6, 30), TrangThaiHoSo.YeuCauBoSung, 1, false, true, false, false, true, OnTimeJudgement.Open(null)),
        new DossierFacts(new DateOnly(2025, 7, 1), TrangThaiHoSo.DangXuLy, 2, false, false, false, false, false, OnTimeJudgement.OpenLate),
        new DossierFacts(null, null, 1, false, false, false, false, false, OnTimeJudgement.Open(null)),
    };

    [Theory]
    [MemberData(nameof(EveryShape))]
    public void The_compact_form_round_trips(DossierFacts facts)
    {
        var compact = facts.ToCompact();

        Assert.True(DossierFacts.TryParse(compact, out var parsed), compact);
        Assert.Equal(facts, parsed);
        Assert.True(compact.Length <= 32, compact);
    }

    [Fact]
    public void Facts_read_from_a_dossier_round_trip_and_carry_no_personal_data()
    {
        var builder = new DossierBuilder().Status(5).With("DanhSachLePhi", Fees("10000"))
            .With("DanhSachHoSoBoSung", new JsonArray(new JsonObject { ["NgayBoSung"] = "2025-01-18T10:00:00+07:00", ["NoiDungBoSung"] = "Bổ sung CCCD 079012345678" }));
        var json = builder.Json();
        var compact = DossierFacts.Of(builder.Dossier()).ToCompact();

        Assert.True(DossierFacts.TryParse(compact, out var parsed));
        Assert.Equal(DossierFacts.Of(builder.Dossier()), parsed);
        foreach (var field in Dossier.PersonalDataFields.Where(json.ContainsKey))
            Assert.DoesNotContain(json[field]!.ToString(), compact);
        Assert.DoesNotContain("079012345678", compact);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2|20250115|10|2|FPLD|E20250120+")]
    [InlineData("1|20250115|10|2|FPLD")]
    [InlineData("1|2025-01-15|10|2|FPLD|E20250120+")]
    [InlineData("1|20250115|11|2|FPLD|E20250120+")]
    [InlineData("1|20250115|10|4|FPLD|E20250120+")]
    [InlineData("1|20250115|10|2|FPLQ|E20250120+")]
    [InlineData("1|20250115|10|2|FF|E20250120+")]
    [InlineData("1|20250115|10|2|FPLD|E20250120")]
    [InlineData("1|20250115|10|2|FPLD|E+")]
    [InlineData("1|20250115|10|2|FPLD|O2025013")]
    [InlineData("1|20250115|10|2|FPLD|Y")]
    public void Anything_else_is_not_a_compact_form(string? text) => Assert.False(DossierFacts.TryParse(text, out _));
}
