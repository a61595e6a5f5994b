using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;

namespace DvcSync.Core.Indicators;

/// <summary>
/// What the 766 indicators need to know about one copy of a dossier — the provincial system's, or the portal's as
/// <c>TraCuuHoSo</c> answers it — and nothing else: no personal data, no free text, so it can sit in a ledger row.
/// </summary>
/// <param name="ReceivedDay">The copy's own NgayTiepNhan day; a portal copy without one is never counted.</param>
/// <param name="Status">TrangThaiHoSo; null when missing or unreadable.</param>
/// <param name="Channel">KenhThucHien 1–3; a missing, unreadable or unknown one counts as 1, in person.</param>
/// <param name="FeeBearing">DanhSachLePhi lists a fee and not every fee is 0 (3.6's denominator).</param>
/// <param name="PaidOnline">DuocThanhToanTrucTuyen 1 or 2.</param>
/// <param name="HasResultLink">Some DanhSachGiayToKetQua item has a non-blank DuongDanTepTinKetQua.</param>
/// <param name="Digitised">HoSoCoThanhPhanSoHoa = 1.</param>
/// <param name="VneidVerified">TaiKhoanDuocXacThucVoiVNeID = 1.</param>
/// <param name="OnTime">The 2.1 judgement.</param>
public sealed record DossierFacts(
    DateOnly? ReceivedDay,
    TrangThaiHoSo? Status,
    int Channel,
    bool FeeBearing,
    bool PaidOnline,
    bool HasResultLink,
    bool Digitised,
    bool VneidVerified,
    OnTimeJudgement OnTime)
{
    /// <summary>
    /// 4.1's denominator: a dossier returns a result once processing finished (9) or the result was handed over (10).
    /// Stopped, refused and withdrawn dossiers have no result to issue.
    /// </summary>
    public bool ReturnsResult => Status is TrangThaiHoSo.DaXuLyXong or TrangThaiHoSo.DaTraKetQua;

    public bool Online => Channel == 2;

    public static DossierFacts Of(Dossier dossier)
    {
        var fields = dossier.Fields;
        TrangThaiHoSo? status = ReadInt(fields, "TrangThaiHoSo") is { } code && TrangThaiHoSoRules.IsDefined(code) ? (TrangThaiHoSo)code : null;
        return new DossierFacts(
            VnTime.TryParse(Dossier.ReadCode(fields, "NgayTiepNhan"), out var received) ? VnTime.Day(received) : null,
            status,
            ReadInt(fields, "KenhThucHien") is { } channel and >= 1 and <= 3 ? channel : 1,
            IsFeeBearing(fields),
            ReadInt(fields, "DuocThanhToanTrucTuyen") is 1 or 2,
            HasNonBlankResultLink(fields),
            ReadInt(fields, "HoSoCoThanhPhanSoHoa") == 1,
            ReadInt(fields, "TaiKhoanDuocXacThucVoiVNeID") == 1,
            OnTimeRules.Judge(fields, status));
    }

    private static int? ReadInt(JsonObject fields, string name) =>
        int.TryParse(Dossier.ReadCode(fields, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>
    /// A fee whose amount is missing or unreadable counts as non-zero: the procedure charges and only the amount is
    /// unknown, so the dossier belongs in 3.6's denominator rather than silently out of it.
    /// </summary>
    private static bool IsFeeBearing(JsonObject fields)
    {
        if (!fields.TryGetPropertyValue("DanhSachLePhi", out var node) || node is not JsonArray fees) return false;
        foreach (var fee in fees.OfType<JsonObject>())
        {
            var amount = Dossier.ReadCode(fee, "Gia");
            if (!decimal.TryParse(amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value != 0) return true;
        }
        return false;
    }

    private static bool HasNonBlankResultLink(JsonObject fields) =>
        fields.TryGetPropertyValue("DanhSachGiayToKetQua", out var node) && node is JsonArray results
        && results.OfType<JsonObject>().Any(r => r.TryGetPropertyValue("DuongDanTepTinKetQua", out var link)
            && link is JsonValue value && value.GetValueKind() == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetValue<string>()));

    // The compact form: "1|<received yyyyMMdd>|<status>|<channel>|<flags>|<2.1>", e.g. "1|20250115|10|2|FPLD|E20250120+".
    // Flags: F fee-bearing, P paid online, L result link, D digitised, V VNeID. 2.1: E<end day>+ or -, O<due day>,
    // O alone (no due date), X (open, late whatever the day). The leading version lets a later form be told apart.
    private const string Version = "1";

    public string ToCompact()
    {
        var flags = new StringBuilder(5);
        if (FeeBearing) flags.Append('F');
        if (PaidOnline) flags.Append('P');
        if (HasResultLink) flags.Append('L');
        if (Digitised) flags.Append('D');
        if (VneidVerified) flags.Append('V');
        var judgement = OnTime.State switch
        {
            OnTimeState.Ended => "E" + FormatDay(OnTime.Day) + (OnTime.EndedOnTime ? "+" : "-"),
            OnTimeState.Open => "O" + FormatDay(OnTime.Day),
            _ => "X",
        };
        return string.Join('|', Version, FormatDay(ReceivedDay), Status is { } s ? ((int)s).ToString(CultureInfo.InvariantCulture) : "",
            Channel.ToString(CultureInfo.InvariantCulture), flags.ToString(), judgement);
    }

    public static bool TryParse(string? text, out DossierFacts facts)
    {
        facts = null!;
        var parts = text?.Split('|');
        if (parts is not [Version, var received, var status, var channel, var flags, var judgement]) return false;
        if (!TryParseOptionalDay(received, out var receivedDay)) return false;

        TrangThaiHoSo? parsedStatus = null;
        if (status.Length > 0)
        {
            if (!int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || !TrangThaiHoSoRules.IsDefined(code)) return false;
            parsedStatus = (TrangThaiHoSo)code;
        }
        if (channel is not ("1" or "2" or "3")) return false;
        if (flags.Any(f => !"FPLDV".Contains(f)) || flags.Distinct().Count() != flags.Length) return false;
        if (!TryParseJudgement(judgement, out var onTime)) return false;

        facts = new DossierFacts(receivedDay, parsedStatus, channel[0] - '0', flags.Contains('F'), flags.Contains('P'),
            flags.Contains('L'), flags.Contains('D'), flags.Contains('V'), onTime);
        return true;
    }

    private static bool TryParseJudgement(string text, out OnTimeJudgement judgement)
    {
        judgement = OnTimeJudgement.OpenLate;
        switch (text)
        {
            case "X":
                return true;
            case ['O', .. var due] when TryParseOptionalDay(due, out var dueDay):
                judgement = OnTimeJudgement.Open(dueDay);
                return true;
            case ['E', .. var end, '+' or '-'] when CompactDay.TryParse(end, out var endDay):
                judgement = OnTimeJudgement.Ended(endDay, text[^1] == '+');
                return true;
            default:
                return false;
        }
    }

    private static string FormatDay(DateOnly? day) => day is { } d ? CompactDay.Format(d) : "";

    private static bool TryParseOptionalDay(string text, out DateOnly? day)
    {
        day = null;
        if (text.Length == 0) return true;
        if (!CompactDay.TryParse(text, out var parsed)) return false;
        day = parsed;
        return true;
    }
}
