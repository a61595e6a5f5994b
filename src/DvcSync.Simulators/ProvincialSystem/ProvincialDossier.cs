using System.Text.Json.Nodes;

namespace DvcSync.Simulators.ProvincialSystem;

/// <summary>Client credentials and token lifetime of the provincial simulator.</summary>
public sealed class ProvincialSettings
{
    public string ClientId { get; set; } = "dvcsync";
    public string ClientSecret { get; set; } = "dvcsync-demo-secret";
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;
}

/// <summary>A dossier as the provincial API serves it: <see cref="Item"/> is the full JSON with NgayCapNhat, PhienBan, TrangThaiDongBo, LoiDongBo.</summary>
public sealed record ProvincialDossier(string MaHoSo, JsonObject Item, DateTimeOffset NgayCapNhat, long PhienBan, string TrangThaiDongBo, string LoiDongBo);

/// <summary>One row of <c>thongke/tiepnhan</c>.</summary>
public readonly record struct ReceivedCount(string MaDonVi, DateOnly Ngay, int SoHoSoTiepNhan);

/// <summary>Keyset position: (NgayCapNhat in whole seconds, MaHoSo).</summary>
internal readonly record struct PageKey(long Seconds, string MaHoSo) : IComparable<PageKey>
{
    public int CompareTo(PageKey other)
    {
        var c = Seconds.CompareTo(other.Seconds);
        return c != 0 ? c : string.CompareOrdinal(MaHoSo, other.MaHoSo);
    }
}
