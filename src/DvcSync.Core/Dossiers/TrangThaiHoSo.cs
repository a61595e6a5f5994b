namespace DvcSync.Core.Dossiers;

/// <summary>The national status codes of a dossier (dossier.md), named as the portal names them.</summary>
public enum TrangThaiHoSo
{
    MoiDangKy = 1,
    DuocTiepNhan = 2,
    KhongDuocTiepNhan = 3,
    DangXuLy = 4,
    YeuCauBoSung = 5,
    YeuCauNghiaVuTaiChinh = 6,
    RutHoSo = 7,
    DungXuLy = 8,
    DaXuLyXong = 9,
    DaTraKetQua = 10,
}

public static class TrangThaiHoSoRules
{
    public static bool IsDefined(int code) => code is >= 1 and <= 10;

    /// <summary>A dossier in a final state stops changing: once confirmed there, it need not be looked up again.</summary>
    public static bool IsFinal(TrangThaiHoSo status) => status is TrangThaiHoSo.KhongDuocTiepNhan or TrangThaiHoSo.RutHoSo
        or TrangThaiHoSo.DungXuLy or TrangThaiHoSo.DaXuLyXong or TrangThaiHoSo.DaTraKetQua;

    /// <summary>The portal refuses to move a held final dossier to a non-final state; 9 → 10 is the one move allowed.</summary>
    public static bool PortalAllowsMove(TrangThaiHoSo held, TrangThaiHoSo next) =>
        !IsFinal(held) || IsFinal(next);
}
