using DvcSync.Core.Dossiers;

namespace DvcSync.Core.Validation;

/// <summary>
/// The checks the portal applies to <c>DongBoHoSoMC</c> (national-portal.md), made before sending so that a
/// dossier the portal is certain to refuse costs no portal call. The words follow the portal's own, so an
/// operator reads the same reason whether the refusal came from here or from the portal.
/// </summary>
public static class PortalPreValidator
{
    public const int MaxMaHoSoLength = 50;
    public const int MaxTrichYeuLength = 1000;
    public const int MaxDonViXuLyLength = 250;
    public static readonly TimeSpan AllowedClockLead = TimeSpan.FromMinutes(5);

    /// <summary>Fields whose form the portal checks. Of NgayKetThucXuLy it checks only that it is there (for 9 and 10).</summary>
    private static readonly HashSet<string> PortalCheckedFields =
        ["MaHoSo", "MaDonVi", "MaTTHC", "NgayTiepNhan", "TrangThaiHoSo", "KenhThucHien"];

    /// <param name="isKnownProcedure">Whether the national catalogue knows a MaTTHC; null when not known yet.</param>
    public static IReadOnlyList<string> Validate(Dossier dossier, DateTimeOffset now, Func<string, bool?>? isKnownProcedure = null)
    {
        var problems = new List<string>();

        // A malformed field the portal does not check (NgayHenTra, say) is a data-quality finding, not a refusal.
        foreach (var defect in dossier.Defects.Where(d => PortalCheckedFields.Contains(d.Field)))
            problems.Add(defect.Description);

        if (dossier.MaHoSo.Length == 0) problems.Add("Thiếu MaHoSo");
        else
        {
            if (dossier.MaHoSo.Length > MaxMaHoSoLength) problems.Add($"MaHoSo dài quá {MaxMaHoSoLength} ký tự");
            if (dossier.MaDonVi.Length == 0) problems.Add("Thiếu MaDonVi");
            else if (!dossier.MaHoSo.StartsWith(dossier.MaDonVi, StringComparison.Ordinal))
                problems.Add($"MaHoSo {dossier.MaHoSo} không bắt đầu bằng mã đơn vị {dossier.MaDonVi}");
        }

        if (dossier.MaTTHC.Length == 0) problems.Add("Thiếu MaTTHC");
        else if (isKnownProcedure?.Invoke(dossier.MaTTHC) == false)
            problems.Add($"MaTTHC {dossier.MaTTHC} không tồn tại trong CSDL quốc gia về TTHC");

        var status = dossier.TrangThaiHoSo;
        if (status is null && !dossier.Defects.Any(d => d.Field == "TrangThaiHoSo")) problems.Add("Thiếu TrangThaiHoSo");

        // Present and well formed is what the portal asks: "00010101000000" passes, though it gives the project no date.
        var received = dossier.Dates.NgayTiepNhan;
        if (status is not null and not TrangThaiHoSo.MoiDangKy && !received.IsPresent)
            problems.Add("Thiếu NgayTiepNhan");
        if (received.At is { } at && at > now + AllowedClockLead || received.IsBeyondSupportedRange)
            problems.Add($"NgayTiepNhan {Dossier.ReadCode(dossier.Fields, "NgayTiepNhan")} ở tương lai");

        if (status is TrangThaiHoSo.DaXuLyXong or TrangThaiHoSo.DaTraKetQua && !dossier.Dates.NgayKetThucXuLy.IsPresent)
            problems.Add("Thiếu NgayKetThucXuLy cho hồ sơ đã xử lý xong");

        if (TextLength(dossier, "TrichYeuHoSo") > MaxTrichYeuLength) problems.Add($"TrichYeuHoSo dài quá {MaxTrichYeuLength} ký tự");
        if (TextLength(dossier, "DonViXuLy") > MaxDonViXuLyLength) problems.Add($"DonViXuLy dài quá {MaxDonViXuLyLength} ký tự");

        return problems;
    }

    private static int TextLength(Dossier dossier, string field) => Dossier.ReadCode(dossier.Fields, field)?.Length ?? 0;
}
