using System.Text.Json.Nodes;
using DvcSync.Simulators.Hosting;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Simulators.NationalPortal;

/// <summary>What <c>DongBoHoSoMC</c> validates (national-portal.md): each failure is part of an <c>error_code "2"</c> entry.</summary>
public static class PortalValidator
{
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public static bool IsFinal(int status) => status is 3 or 7 or 8 or 9 or 10;

    /// <summary>Every problem of one dossier; empty when the portal accepts its data.</summary>
    public static List<string> Validate(JsonObject d, ProcedureCatalogue catalogue, DateTimeOffset now)
    {
        var problems = new List<string>();
        var maHoSo = SimJson.Str(d, "MaHoSo");
        var maDonVi = SimJson.Str(d, "MaDonVi");
        if (SimJson.IsBlank(maHoSo))
        {
            problems.Add("MaHoSo không được để trống");
        }
        else
        {
            if (maHoSo!.Length > 50) problems.Add("MaHoSo dài quá 50 ký tự");
            if (SimJson.IsBlank(maDonVi)) problems.Add("MaDonVi không được để trống");
            else if (!maHoSo.StartsWith(maDonVi!, StringComparison.Ordinal)) problems.Add($"MaHoSo {maHoSo} không bắt đầu bằng mã đơn vị {maDonVi}");
        }

        var maTTHC = SimJson.Str(d, "MaTTHC");
        if (SimJson.IsBlank(maTTHC)) problems.Add("MaTTHC không được để trống");
        else if (!catalogue.Contains(maTTHC)) problems.Add(PortalMessages.UnknownProcedure(maTTHC!));

        var statusText = SimJson.Str(d, "TrangThaiHoSo");
        int? status = int.TryParse(statusText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var st) && st is >= 1 and <= 10 ? st : null;
        if (status is null) problems.Add($"TrangThaiHoSo '{statusText}' không hợp lệ");

        var received = SimJson.Str(d, "NgayTiepNhan");
        if (SimJson.IsBlank(received))
        {
            if (status is not null and not 1) problems.Add(PortalMessages.ReceivedDateMissing(statusText!));
        }
        else if (!SimTime.TryParseCompact(received, out var at))
        {
            problems.Add(PortalMessages.ReceivedDateMalformed(received!));
        }
        else if (at > now + FutureTolerance)
        {
            problems.Add(PortalMessages.ReceivedDateInFuture(received!));
        }

        if (status is 9 or 10 && SimJson.IsBlank(SimJson.Str(d, "NgayKetThucXuLy")))
            problems.Add(PortalMessages.EndDateMissing(status.Value));

        var channel = SimJson.Str(d, "KenhThucHien");
        if (!SimJson.IsBlank(channel) && channel is not ("1" or "2" or "3"))
            problems.Add($"KenhThucHien '{channel}' không hợp lệ");

        if (SimJson.Str(d, "TrichYeuHoSo") is { Length: > 1000 }) problems.Add("TrichYeuHoSo dài quá 1000 ký tự");
        if (SimJson.Str(d, "DonViXuLy") is { Length: > 250 }) problems.Add("DonViXuLy dài quá 250 ký tự");
        return problems;
    }

    /// <summary>The status as held (string or number); 0 when unreadable.</summary>
    public static int StatusOf(JsonObject d) => SimJson.Int(d["TrangThaiHoSo"]) ?? 0;
}
