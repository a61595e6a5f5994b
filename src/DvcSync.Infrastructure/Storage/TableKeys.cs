using System.Globalization;
using System.Text;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Row keys of the ledger table. One partition per agency holds its dossiers and, beside them, the rows derived from
/// them — day counts, the unsynced index, the in-repair index — so that an entry and everything derived from it
/// change in one entity-group transaction.
/// </summary>
internal static class TableKeys
{
    public const string EntryPrefix = "h|";
    public const string DayPrefix = "d|";
    public const string UnsyncedPrefix = "u|";
    public const string InRepairPrefix = "r|";
    public const string MonthPrefix = "m|";

    public static string Entry(string maHoSo) => EntryPrefix + Escape(maHoSo);
    public static string Day(DateOnly day) => DayPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
    public static string Unsynced(DateTimeOffset ngayTiepNhan, string maHoSo) =>
        UnsyncedPrefix + Core.Dossiers.VnTime.Format(ngayTiepNhan) + "|" + Escape(maHoSo);
    public static string InRepair(string maHoSo) => InRepairPrefix + Escape(maHoSo);
    public static string Month(DateOnly day) => MonthPrefix + day.ToString("yyyyMM", CultureInfo.InvariantCulture);

    public static DateOnly ParseMonth(string rowKey) =>
        DateOnly.ParseExact(rowKey[MonthPrefix.Length..] + "01", "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The first key after every key starting with <paramref name="prefix"/>.</summary>
    public static string After(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    public static DateOnly ParseDay(string rowKey) =>
        DateOnly.ParseExact(rowKey[DayPrefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Table keys forbid '/', '\', '#', '?' and control characters; codes from outside are not trusted to avoid them.</summary>
    public static string Escape(string value)
    {
        if (value.All(IsAllowed)) return value;
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (IsAllowed(c)) builder.Append(c);
            else builder.Append('%').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    private static bool IsAllowed(char c) => c is not ('/' or '\\' or '#' or '?' or '%') && !char.IsControl(c);
}

/// <summary>
/// Keys and columns of the roll-up table: one row per agency and year, partitioned by year, the twelve months side by
/// side (<c>Received03</c>, <c>Synced03</c>, <c>Version03</c>), so a province-wide year is one query of about one row per agency.
/// </summary>
internal static class RollupKeys
{
    public static string Partition(int year) => "y" + year.ToString(CultureInfo.InvariantCulture);
    public static string Row(string maDonVi) => TableKeys.Escape(maDonVi);

    /// <summary>The column of <paramref name="name"/> (Received, Synced, Version) for the month <paramref name="month"/> (1–12).</summary>
    public static string Column(string name, int month) => name + month.ToString("00", CultureInfo.InvariantCulture);
}
