using System.Globalization;
using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;
using static DvcSync.Simulators.Seeding.SeedRandom;

namespace DvcSync.Simulators.Seeding;

/// <summary>
/// A seeded dossier's full JSON and its processing steps, generated on demand from its header: the same every time for
/// the same seed, in the provincial system's version or in the copy the portal holds at start.
/// </summary>
internal sealed class DossierJson(ScenarioGenerator scenario)
{
    /// <summary>
    /// The fields of the source's dossier that identify and date it — MaHoSo, MaDonVi, TrangThaiHoSo, NgayTiepNhan — with
    /// the values <see cref="Build"/> gives them, without generating the rest (for listing a million dossiers quickly).
    /// </summary>
    public JsonObject BuildHeader(SeedDossier d)
    {
        var status = d.Events[^1].Status;
        var o = new JsonObject
        {
            ["MaHoSo"] = d.MaHoSo,
            ["MaDonVi"] = scenario.Agencies[d.AgencyIndex].MaDonVi,
            ["TrangThaiHoSo"] = d.NumericCodes ? JsonValue.Create(status) : JsonValue.Create(status.ToString(CultureInfo.InvariantCulture)),
        };
        if (d.Events.Any(e => e.Status >= 2) && d.ReceivedAt is { } tr)
            o["NgayTiepNhan"] = d.MalformedNgayTiepNhan ?? SimTime.Compact(tr);
        if (d.NoDateMarkers && d.MalformedNgayTiepNhan is null) MarkNoDates(o, status, ["NgayTiepNhan"]);
        return o;
    }

    /// <summary>The dossier as the provincial system holds it (<paramref name="portalCopy"/> false) or as the portal holds it at start.</summary>
    public JsonObject Build(SeedDossier d, bool portalCopy)
    {
        var r = new Random(DetailSeed(scenario.Options.Seed, d.Index, 1));
        var agency = scenario.Agencies[d.AgencyIndex];
        var p = scenario.Catalogue.All[d.ProcedureIndex];
        var events = portalCopy ? d.PortalEvents ?? d.Events : d.Events;
        var source = !portalCopy;

        // Every random draw happens here, in a fixed order, whatever the version: both versions share personal data.
        var loaiRoll = r.NextDouble();
        var loai = loaiRoll < 0.82 ? 1 : loaiRoll < 0.96 ? 2 : loaiRoll < 0.98 ? 3 : 4;
        var (person, male) = FakeIdentity.PersonName(r);
        var business = FakeIdentity.BusinessName(r);
        var birthYear = r.Next(1950, 2007);
        var citizenId = FakeIdentity.CitizenId(r, male, birthYear);
        var oldId = FakeIdentity.OldId(r);
        var taxCode = FakeIdentity.TaxCode(r);
        var useOldId = r.NextDouble() < 0.08;
        var phone = FakeIdentity.Phone(r);
        var hasPhone = r.NextDouble() < 0.9;
        var email = FakeIdentity.Email(r, person);
        var hasEmail = r.NextDouble() < 0.55;
        var techId = FakeIdentity.TechId(r);
        var channelRoll = r.NextDouble();
        var digitised = r.NextDouble() < 0.62;
        var vneid = r.NextDouble() < 0.7;
        var payRoll = r.NextDouble();
        var feeExempt = r.NextDouble() < 0.1;
        var feeAsNumber = r.Next(2) == 0;
        var resultLink = r.NextDouble() < 0.75;
        var resultId = FakeIdentity.Hex(r, 32);
        var resultFile = FakeIdentity.Hex(r, 20);
        var fileCount = r.Next(1, 4);
        var files = new (string Id, string Path, bool Digitised, bool Reused, bool FromRepo)[3];
        for (var i = 0; i < 3; i++)
            files[i] = (FakeIdentity.Hex(r, 24), FakeIdentity.Hex(r, 20), r.NextDouble() < 0.6, r.NextDouble() < 0.3, r.NextDouble() < 0.2);
        var supplementId = FakeIdentity.Hex(r, 24);
        var supplementWhat = SupplementTexts[r.Next(SupplementTexts.Length)];
        var isoSupplementDates = r.Next(2) == 0;
        var (officer, _) = FakeIdentity.PersonName(r);
        var receiptNo = r.Next(1, 100_000);
        var priority = r.NextDouble() < 0.08;
        var populationDb = r.NextDouble() < 0.35;
        var summaryVariant = r.Next(3);
        var counter = r.Next(1, 6);
        var returnRoll = r.NextDouble();

        var channel = channelRoll < 0.05 ? (int?)null : channelRoll < 0.5 ? 1 : channelRoll < 0.95 ? 2 : 3;
        var online = channel == 2;
        var status = events[^1].Status;
        var received = events.Any(e => e.Status >= 2);
        DateTimeOffset? At(int s) => events.Any(e => e.Status == s) ? events.First(e => e.Status == s).At : null;
        var supplementAt = At(5);
        DateTimeOffset? supplementBack = null;
        if (supplementAt is not null)
        {
            var i5 = Array.FindIndex(events, e => e.Status == 5);
            if (i5 + 1 < events.Length) supplementBack = events[i5 + 1].At;
        }
        var due = supplementBack is not null ? d.DueAtExtended : d.DueAt;
        if (portalCopy && d.PortalDueOlder) due -= TimeSpan.FromDays(2);
        var finishedAt = At(9) ?? At(8);
        JsonNode Code(int v) => d.NumericCodes ? JsonValue.Create(v) : JsonValue.Create(v.ToString(CultureInfo.InvariantCulture));
        string Fmt(DateTimeOffset t) => SimTime.Compact(t);

        var o = new JsonObject
        {
            ["MaHoSo"] = d.MaHoSo,
            ["MaTTHC"] = source && d.UnknownMaTTHC is not null ? d.UnknownMaTTHC : p.MaTTHC,
            ["TenTTHC"] = p.TenTTHC,
            ["MaLinhVuc"] = p.MaLinhVuc,
            ["TenLinhVuc"] = p.TenLinhVuc,
        };
        if (channel is { } ch) o["KenhThucHien"] = Code(ch);
        o["ChuHoSo"] = loai == 2 ? business : person;
        o["LoaiDoiTuong"] = Code(loai);
        o["MaDoiTuong"] = online ? techId : "";
        o["SoGiayToChuHoSo"] = loai == 2 ? taxCode : useOldId ? oldId : citizenId;
        if (loai != 2)
            o["DinhDanhCHS"] = new JsonArray(new JsonObject
            {
                ["LoaiDinhDanh"] = Code(useOldId ? 2 : 1),
                ["SoDinhDanh"] = useOldId ? oldId : citizenId,
            });
        if (hasPhone) o["SoDienThoai"] = phone;
        o["Email"] = hasEmail ? email : "";
        o["TrichYeuHoSo"] = summaryVariant switch
        {
            0 => p.TenTTHC,
            1 => $"Đề nghị giải quyết thủ tục: {p.TenTTHC}",
            _ => $"{p.TenTTHC} ({(online ? "nộp trực tuyến" : "nộp trực tiếp")})",
        };
        o["SoBienNhan"] = received ? string.Create(CultureInfo.InvariantCulture, $"{d.MaHoSo[^12..^6]}{receiptNo:00000}") : "";
        o["NgayNopHoSo"] = Fmt(d.SubmittedAt);
        if (received && d.ReceivedAt is { } tr) o["NgayTiepNhan"] = source && d.MalformedNgayTiepNhan is not null ? d.MalformedNgayTiepNhan : Fmt(tr);
        if (received) o["NgayHenTra"] = Fmt(due);
        if (finishedAt is { } fin && !(source && d.Refusal == RefusalKind.FinishedWithoutEndDate)) o["NgayKetThucXuLy"] = Fmt(fin);
        if (At(10) is { } returned) o["NgayTra"] = Fmt(returned);
        if (At(3) is { } refused) o["NgayTuChoi"] = Fmt(refused);
        o["TrangThaiHoSo"] = Code(status);
        if (d.NoDateMarkers)
            MarkNoDates(o, status, DatedFields.Where(f => !(f == "NgayTiepNhan" && source && d.MalformedNgayTiepNhan is not null)));
        o["MaDonVi"] = agency.MaDonVi;
        o["DonViXuLy"] = agency.TenDonVi;
        var paid = p.CoPhiLePhi && online && !feeExempt ? (payRoll < 0.45 ? 1 : payRoll < 0.7 ? 2 : 0) : 0;
        o["DuocThanhToanTrucTuyen"] = Code(paid);
        o["HoSoCoThanhPhanSoHoa"] = Code(digitised ? 1 : 0);
        o["TaiKhoanDuocXacThucVoiVNeID"] = Code(online && vneid ? 1 : 0);

        var fees = new JsonArray();
        if (p.CoPhiLePhi)
        {
            var amount = feeExempt ? 0 : p.Fee;
            fees.Add(new JsonObject
            {
                ["TenPhiLePhi"] = "Lệ phí giải quyết thủ tục hành chính",
                ["MaPhiLePhi"] = "LP" + p.MaTTHC.Replace(".", "", StringComparison.Ordinal),
                ["HinhThucThu"] = paid > 0 ? "2" : "1",
                ["Gia"] = feeAsNumber ? JsonValue.Create(amount) : JsonValue.Create(amount.ToString(CultureInfo.InvariantCulture)),
                ["LoaiPhiLePhi"] = "1",
            });
        }
        o["DanhSachLePhi"] = fees;

        var results = new JsonArray();
        if (status is 9 or 10)
            results.Add(new JsonObject
            {
                ["TenGiayTo"] = "Kết quả giải quyết thủ tục hành chính",
                ["MaThanhPhanHoSo"] = "KQ01",
                ["GiayToId"] = resultId,
                ["DuongDanTepTinKetQua"] = resultLink ? $"https://dichvucong.binhson.gov.vn/files/ketqua/{resultFile}.pdf" : "",
                ["MaGiayToKetQua"] = "KQ-" + d.MaHoSo,
            });
        o["DanhSachGiayToKetQua"] = results;

        var submitted = new JsonArray();
        for (var i = 0; i < fileCount; i++)
            submitted.Add(new JsonObject
            {
                ["TepDinhKemId"] = files[i].Id,
                ["TenTepDinhKem"] = FileNames[i],
                ["MaThanhPhanHoSo"] = $"TP0{i + 1}",
                ["DuongDanTaiTepTin"] = $"https://dichvucong.binhson.gov.vn/files/hoso/{files[i].Path}.pdf",
                ["DuocSoHoa"] = files[i].Digitised ? "1" : "0",
                ["DuocTaiSuDung"] = files[i].Reused ? "1" : "0",
                ["DuocLayTuKhoDMQG"] = files[i].FromRepo ? "1" : "0",
            });
        o["TaiLieuNop"] = submitted;

        var supplements = new JsonArray();
        if (supplementAt is { } s5)
        {
            string F(DateTimeOffset t) => isoSupplementDates ? SimTime.Iso(t) : Fmt(t);
            supplements.Add(new JsonObject
            {
                ["HoSoBoSungId"] = supplementId,
                ["NguoiYeuCauBoSung"] = officer,
                ["NoiDungBoSung"] = supplementWhat,
                ["NgayBoSung"] = F(s5),
                ["NgayTiepNhanBoSung"] = supplementBack is { } b ? F(b) : "",
                ["TrangThaiBoSung"] = supplementBack is not null ? "1" : "0",
                ["NgayHenTraTruoc"] = F(d.DueAt),
                ["NgayHenTraMoi"] = supplementBack is not null ? F(d.DueAtExtended) : "",
            });
        }
        o["DanhSachHoSoBoSung"] = supplements;
        o["HinhThuc"] = online ? "1" : "0";
        o["NoiNopHoSo"] = online ? "Cổng Dịch vụ công quốc gia" : $"Bộ phận Tiếp nhận và Trả kết quả - {agency.TenDonVi}";
        o["ThongTinTra"] = returnRoll < 0.6 ? "Nhận trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả" : returnRoll < 0.85 ? "Nhận kết quả điện tử" : "Nhận qua dịch vụ bưu chính công ích";
        o["GhiChu"] = priority ? "Hồ sơ ưu tiên" : "";
        o["DSKetNoiCSDL"] = populationDb
            ? new JsonArray(new JsonObject { ["MaCSDL"] = "CSDLQGDC", ["TenCSDL"] = "Cơ sở dữ liệu quốc gia về dân cư" })
            : new JsonArray();
        if (d.ExtraFields)
        {
            o["MaHoSoLienThong"] = "";
            o["ThongTinMoRong"] = new JsonObject
            {
                ["NguonTiepNhan"] = online ? "DVCQG" : "MotCua",
                ["PhienBanAPI"] = "3.2",
                ["MaQuayTiepNhan"] = $"Q{counter:00}",
            };
            o["LoaiHoSo"] = 1;
        }
        return o;
    }

    private static readonly string[] DatedFields = ["NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi"];

    /// <summary>
    /// Writes <see cref="ScenarioGenerator.NoDateMarker"/> in <paramref name="fields"/> where <see cref="ScenarioOptions.NoDateMarkerFraction"/>
    /// says: a date the dossier has no value for, the open dossier's due and end dates, and NgayTiepNhan at status 2.
    /// A 9 or 10 without NgayKetThucXuLy is a refusal the scenario made on purpose, and stays without it.
    /// </summary>
    private static void MarkNoDates(JsonObject o, int status, IEnumerable<string> fields)
    {
        var open = !FinalStatuses.Contains(status);
        foreach (var field in fields)
        {
            var absent = SimJson.IsBlank(SimJson.Str(o, field));
            var marked = field switch
            {
                "NgayTiepNhan" => absent || status == 2,
                "NgayHenTra" => absent || open,
                "NgayKetThucXuLy" => status is not (9 or 10) && (absent || open),
                _ => absent,
            };
            if (marked) o[field] = ScenarioGenerator.NoDateMarker;
        }
    }

    /// <summary>Whether the provincial system exports this dossier's NgayCapNhat as <see cref="ScenarioGenerator.NoDateMarker"/>.</summary>
    public static bool ExportsNoChangeDate(SeedDossier? seed, JsonObject item) =>
        seed is { NoDateMarkers: true } && SimJson.Int(item["TrangThaiHoSo"]) is { } status && !FinalStatuses.Contains(status);

    /// <summary>The processing steps (tiendo) of a dossier, in time order.</summary>
    public List<JsonObject> BuildSteps(SeedDossier d, bool portalCopy)
    {
        var events = portalCopy ? d.PortalEvents ?? d.Events : d.Events;
        var r = new Random(DetailSeed(scenario.Options.Seed, d.Index, 2));
        var steps = new List<JsonObject>(events.Length);
        var due = events.Any(e => e.Status == 5) && events.SkipWhile(e => e.Status != 5).Skip(1).Any() ? d.DueAtExtended : d.DueAt;
        foreach (var e in events)
        {
            var (officer, _) = FakeIdentity.PersonName(r);
            steps.Add(Step(d.MaHoSo, e.Status, e.At, e.Status == 1 ? "" : SimTime.Compact(due), e.Status == 1 ? "Hệ thống" : officer));
        }
        return steps;
    }

    public static JsonObject Step(string maHoSo, int status, DateTimeOffset at, string dueText, string officer) => new()
    {
        ["MaHoSo"] = maHoSo,
        ["NguoiXuLy"] = officer,
        ["ChucDanh"] = status switch
        {
            1 => "Hệ thống",
            2 or 10 => "Cán bộ tiếp nhận",
            3 or 7 or 8 or 9 => "Lãnh đạo phòng",
            _ => "Chuyên viên",
        },
        ["ThoiDiemXuLy"] = SimTime.Compact(at),
        ["PhongBanXuLy"] = status is 1 or 2 or 10 ? "Bộ phận Tiếp nhận và Trả kết quả" : "Phòng chuyên môn",
        ["NoiDungXuLy"] = status switch
        {
            1 => "Nộp hồ sơ trực tuyến",
            2 => "Tiếp nhận hồ sơ",
            3 => "Từ chối tiếp nhận hồ sơ",
            4 => "Chuyển xử lý hồ sơ",
            5 => "Yêu cầu bổ sung hồ sơ",
            6 => "Yêu cầu thực hiện nghĩa vụ tài chính",
            7 => "Công dân rút hồ sơ",
            8 => "Dừng xử lý hồ sơ",
            9 => "Phê duyệt kết quả giải quyết",
            _ => "Trả kết quả giải quyết",
        },
        ["TrangThai"] = status.ToString(CultureInfo.InvariantCulture),
        ["NgayBatDau"] = SimTime.Compact(at),
        ["NgayKetThucTheoQuyDinh"] = dueText,
    };

    private static readonly string[] FileNames = ["Don_de_nghi.pdf", "Ban_sao_giay_to_tuy_than.pdf", "Giay_to_lien_quan.pdf"];
    private static readonly string[] SupplementTexts =
    [
        "Bổ sung bản sao giấy tờ chứng minh nơi cư trú",
        "Bổ sung tờ khai theo mẫu quy định",
        "Bổ sung bản vẽ thiết kế có chữ ký, đóng dấu",
        "Bổ sung giấy ủy quyền hợp lệ",
    ];
}
