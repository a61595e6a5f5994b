using System.Text.Json.Nodes;

namespace DvcSync.Core.Dossiers;

/// <summary>
/// A dossier as the provincial system hands it over: the dossier itself plus the provincial system's own
/// bookkeeping, which the portal must never receive.
/// </summary>
public sealed class SourceDossier
{
    public static readonly IReadOnlySet<string> ProvincialOnlyFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "NgayCapNhat", "PhienBan", "TrangThaiDongBo", "LoiDongBo",
    };

    private SourceDossier(Dossier dossier, IReadOnlyList<DataDefect> defects)
    {
        Dossier = dossier;
        Defects = defects;
    }

    public Dossier Dossier { get; }

    /// <summary>The dossier's own defects and those of the provincial bookkeeping around it.</summary>
    public IReadOnlyList<DataDefect> Defects { get; }
    public string MaHoSo => Dossier.MaHoSo;
    public string MaDonVi => Dossier.MaDonVi;
    public DateTimeOffset? NgayCapNhat { get; private init; }
    public long PhienBan { get; private init; }

    /// <summary>The provincial system's belief that its push succeeded; it is wrong often enough to be only a hint.</summary>
    public bool FlaggedSynced { get; private init; }

    public static SourceDossier FromJson(JsonObject item)
    {
        var dossier = Dossier.FromJson(item);
        var defects = (List<DataDefect>)[.. dossier.Defects];
        // No usable change time (absent, malformed, or "none" written as a date) only costs the watermark this item.
        var changedAt = Dossier.ReadDate(item, "NgayCapNhat", defects).At;
        long version = 0;
        if (Dossier.ReadCode(item, "PhienBan", defects) is { } versionText && !long.TryParse(versionText, out version))
            defects.Add(new DataDefect("PhienBan", "PhienBan is not a number"));

        return new SourceDossier(dossier, defects)
        {
            NgayCapNhat = changedAt,
            PhienBan = version,
            FlaggedSynced = Dossier.ReadCode(item, "TrangThaiDongBo") == "1",
        };
    }

    /// <summary>The dossier as the portal receives it: everything the source sent, less the provincial bookkeeping.</summary>
    public JsonObject ToPortalPayload()
    {
        var payload = new JsonObject();
        foreach (var (name, value) in Dossier.Fields)
        {
            if (ProvincialOnlyFields.Contains(name)) continue;
            payload[name] = value?.DeepClone();
        }
        return payload;
    }
}
