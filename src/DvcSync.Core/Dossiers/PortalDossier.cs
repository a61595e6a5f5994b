using System.Text.Json.Nodes;

namespace DvcSync.Core.Dossiers;

/// <summary>The portal's copy of a dossier as <c>TraCuuHoSo</c> answers it.</summary>
public sealed class PortalDossier
{
    private PortalDossier(Dossier dossier, DateTimeOffset? ngayDongBo)
    {
        Dossier = dossier;
        NgayDongBo = ngayDongBo;
    }

    public Dossier Dossier { get; }

    /// <summary>When the portal last accepted a change of this dossier.</summary>
    public DateTimeOffset? NgayDongBo { get; }

    public static PortalDossier FromJson(JsonObject item)
    {
        DateTimeOffset? acceptedAt = VnTime.TryParse(Dossier.ReadCode(item, "NgayDongBo"), out var at) ? at : null;
        return new PortalDossier(Dossier.FromJson(item), acceptedAt);
    }
}
