using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DvcSync.Core.Dossiers;

namespace DvcSync.Core.Indicators;

public enum OnTimeState
{
    /// <summary>Processing has ended: judged once and for all by its end.</summary>
    Ended,
    /// <summary>Still in processing: judged at the end of each period by its due day.</summary>
    Open,
    /// <summary>Still in processing but already late whatever the day: more than one supplement request.</summary>
    OpenLate,
}

/// <summary>
/// What indicator 2.1 needs of one copy of a dossier, reduced to days so that it can be counted per day: for an
/// ended dossier its end day and the verdict; for an open one its effective due day (null: no due date, so it
/// cannot be late).
/// </summary>
public sealed record OnTimeJudgement
{
    private OnTimeJudgement(OnTimeState state, DateOnly? day, bool endedOnTime)
    {
        State = state;
        Day = day;
        EndedOnTime = endedOnTime;
    }

    public OnTimeState State { get; }

    /// <summary>The end day of an ended dossier; the effective due day of an open one; null otherwise.</summary>
    public DateOnly? Day { get; }

    /// <summary>For an ended dossier, whether it ended no later than its effective due date.</summary>
    public bool EndedOnTime { get; }

    public static OnTimeJudgement Ended(DateOnly endDay, bool onTime) => new(OnTimeState.Ended, endDay, onTime);
    public static OnTimeJudgement Open(DateOnly? dueDay) => new(OnTimeState.Open, dueDay, false);
    public static readonly OnTimeJudgement OpenLate = new(OnTimeState.OpenLate, null, false);

    /// <summary>
    /// The verdict at evaluation day E (the day after the period, or today if earlier): an open dossier is late once
    /// its due day is before E, i.e. the due day has wholly passed.
    /// </summary>
    public bool OnTimeAt(DateOnly evaluationDay) => State switch
    {
        OnTimeState.Ended => EndedOnTime,
        OnTimeState.Open => Day is not { } due || due >= evaluationDay,
        _ => false,
    };
}

/// <summary>
/// The rules of indicator 2.1 (indicators-766.md, "2.1 on time, in detail") applied to the fields of one copy of a
/// dossier. The dossier carries its current status and dates, not its history, so "the first final status" is read
/// from the date each final status leaves behind:
/// <list type="bullet">
/// <item>9 finished and 10 returned end at NgayKetThucXuLy — the finish, not the hand-over, is the end of processing;
/// a 10 without it ends at NgayTra (the result cannot have been handed over before processing ended, so that is the
/// latest the end can have been);</item>
/// <item>8 stopped and 7 withdrawn end at NgayKetThucXuLy;</item>
/// <item>3 refused ends at NgayTuChoi, or NgayKetThucXuLy when a system records the refusal there;</item>
/// <item>5 supplement requested ends at the last request: the applicant holds the dossier, not the agency;</item>
/// <item>any other status, or a final one without a readable end date, is judged as an open dossier.</item>
/// </list>
/// </summary>
public static partial class OnTimeRules
{
    /// <param name="fields">The dossier as the provincial system or the portal sent it.</param>
    /// <param name="status">Its status, already read (null when unreadable).</param>
    public static OnTimeJudgement Judge(JsonObject fields, TrangThaiHoSo? status)
    {
        var supplements = ReadSupplements(fields);
        var tooManyRequests = supplements.Count > 1;
        var due = EffectiveDue(WireDate(fields, "NgayHenTra"), supplements);

        if (EndOf(fields, status, supplements) is { } end)
            return OnTimeJudgement.Ended(VnTime.Day(end), !tooManyRequests && (due is null || end <= due));
        if (tooManyRequests) return OnTimeJudgement.OpenLate;
        return OnTimeJudgement.Open(due is { } d ? VnTime.Day(d) : null);
    }

    private static DateTimeOffset? EndOf(JsonObject fields, TrangThaiHoSo? status, IReadOnlyList<Supplement> supplements) => status switch
    {
        TrangThaiHoSo.DaXuLyXong or TrangThaiHoSo.DungXuLy or TrangThaiHoSo.RutHoSo => WireDate(fields, "NgayKetThucXuLy"),
        TrangThaiHoSo.DaTraKetQua => WireDate(fields, "NgayKetThucXuLy") ?? WireDate(fields, "NgayTra"),
        TrangThaiHoSo.KhongDuocTiepNhan => WireDate(fields, "NgayTuChoi") ?? WireDate(fields, "NgayKetThucXuLy"),
        TrangThaiHoSo.YeuCauBoSung => supplements.Select(s => s.RequestedAt).Max(),
        _ => null,
    };

    /// <summary>
    /// The due date with the supplement time not counted. With more than one request the dossier is late anyway. A
    /// request that names a new due date (NgayHenTraMoi) was already answered by the agency moving the date — real
    /// systems, and the simulated one, then carry the moved date in NgayHenTra — so the pause is not added a second
    /// time; the later of the two dates stands. Otherwise the due date moves by the time from the request to the
    /// resubmission; a request not resubmitted (or with unreadable dates) moves nothing.
    /// </summary>
    private static DateTimeOffset? EffectiveDue(DateTimeOffset? due, IReadOnlyList<Supplement> supplements)
    {
        if (supplements.Count != 1) return due;
        var supplement = supplements[0];
        if (supplement.NewDueAt is { } newDue) return due is { } d && d > newDue ? d : newDue;
        if (due is { } promised && supplement is { RequestedAt: { } requested, ResubmittedAt: { } resubmitted } && resubmitted > requested)
            return promised + (resubmitted - requested);
        return due;
    }

    private sealed record Supplement(DateTimeOffset? RequestedAt, DateTimeOffset? ResubmittedAt, DateTimeOffset? NewDueAt);

    /// <summary>One item per request (dossier.md); an item that is not an object is no request.</summary>
    private static List<Supplement> ReadSupplements(JsonObject fields)
    {
        var supplements = new List<Supplement>();
        if (!fields.TryGetPropertyValue("DanhSachHoSoBoSung", out var node) || node is not JsonArray items) return supplements;
        foreach (var item in items.OfType<JsonObject>())
            supplements.Add(new Supplement(
                SupplementDate(item, "NgayBoSung"), SupplementDate(item, "NgayTiepNhanBoSung"), SupplementDate(item, "NgayHenTraMoi")));
        return supplements;
    }

    private static DateTimeOffset? WireDate(JsonObject fields, string name) =>
        VnTime.TryParse(Dossier.ReadCode(fields, name), out var at) ? at : null;

    /// <summary>Supplement dates come as <c>yyyyMMddHHmmss</c> or as ISO 8601, with or without an offset (dossier.md).</summary>
    private static DateTimeOffset? SupplementDate(JsonObject item, string name)
    {
        var text = Dossier.ReadCode(item, name);
        if (text is null) return null;
        if (VnTime.TryParse(text, out var wire)) return wire;
        if (!IsoShape().IsMatch(text)) return null;
        DateTimeOffset parsed;
        if (IsoOffset().IsMatch(text))
        {
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out parsed)) return null;
        }
        else
        {
            // Without an offset a provincial system writes its own local time, which is Vietnam's.
            if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return null;
            if (!FarFromTheEdgesOfTime(local)) return null;
            parsed = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), VnTime.Offset);
        }
        if (!FarFromTheEdgesOfTime(parsed.UtcDateTime)) return null;
        // Through the wire format once more, so an ISO date obeys the same limits (range, seconds) as every other date.
        return VnTime.TryParse(VnTime.Format(parsed), out var checkedAt) ? checkedAt : null;
    }

    /// <summary>A time in year 1 or 9999 cannot always be moved to Vietnam's offset; no supplement is dated there.</summary>
    private static bool FarFromTheEdgesOfTime(DateTime value) => value.Year is > 1 and < 9999;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?)?(Z|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex IsoShape();

    [GeneratedRegex(@"(Z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex IsoOffset();
}
