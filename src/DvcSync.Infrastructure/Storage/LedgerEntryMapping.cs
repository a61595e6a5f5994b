using Azure.Data.Tables;
using DvcSync.Core.Indicators;
using DvcSync.Core.Ledger;

namespace DvcSync.Infrastructure.Storage;

internal static class LedgerEntryMapping
{
    // Portal messages can be long; a ledger row is not the place for a whole HTML error page.
    private const int MaxErrorLength = 1000;

    public static TableEntity ToEntity(string partition, LedgerEntry entry) => Fill(new TableEntity(partition, TableKeys.Entry(entry.MaHoSo)), entry);

    /// <summary>Index rows carry the entry's fields so that listings need no second read.</summary>
    public static TableEntity ToIndexEntity(string partition, string rowKey, LedgerEntry entry) => Fill(new TableEntity(partition, rowKey), entry);

    private static TableEntity Fill(TableEntity entity, LedgerEntry entry)
    {
        entity["MaHoSo"] = entry.MaHoSo;
        entity["MaDonVi"] = entry.MaDonVi;
        entity["NgayTiepNhan"] = entry.NgayTiepNhan;
        entity["TrangThaiHoSo"] = entry.TrangThaiHoSo;
        entity["PhienBan"] = entry.PhienBan;
        entity["State"] = entry.State.ToWire();
        entity["PortalHolds"] = entry.PortalHolds;
        entity["PortalCopyLacksReceptionDate"] = entry.PortalCopyLacksReceptionDate;
        entity["SourceFacts"] = entry.SourceFacts?.ToCompact();
        entity["PortalFacts"] = entry.PortalFacts?.ToCompact();
        entity["Attempts"] = entry.Attempts;
        entity["LastError"] = entry.LastError is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : entry.LastError;
        entity["NextAttemptAt"] = entry.NextAttemptAt;
        entity["FailingSince"] = entry.FailingSince;
        entity["ConfirmedAt"] = entry.ConfirmedAt;
        entity["ChangedAt"] = entry.ChangedAt;
        entity["StepsSentUpTo"] = entry.StepsSentUpTo;
        entity["UpdatedAt"] = entry.UpdatedAt;
        entity["MovedTo"] = entry.MovedTo;
        return entity;
    }

    /// <summary>Reads an entry row, or an index row (whose ETag is not the entry's, so it is left out).</summary>
    public static LedgerEntry ToEntry(TableEntity entity)
    {
        var isEntryRow = entity.RowKey.StartsWith(TableKeys.EntryPrefix, StringComparison.Ordinal);
        return new LedgerEntry
        {
            MaHoSo = entity.GetString("MaHoSo") ?? "",
            MaDonVi = entity.GetString("MaDonVi") ?? "",
            NgayTiepNhan = entity.GetDateTimeOffset("NgayTiepNhan")?.ToOffset(Core.Dossiers.VnTime.Offset),
            TrangThaiHoSo = entity.GetInt32("TrangThaiHoSo"),
            PhienBan = entity.GetInt64("PhienBan") ?? 0,
            State = SyncStateNames.TryParseWire(entity.GetString("State"), out var state) ? state : SyncState.Pending,
            PortalHolds = entity.GetBoolean("PortalHolds") ?? false,
            PortalCopyLacksReceptionDate = entity.GetBoolean("PortalCopyLacksReceptionDate") ?? false,
            SourceFacts = DossierFacts.TryParse(entity.GetString("SourceFacts"), out var sourceFacts) ? sourceFacts : null,
            PortalFacts = DossierFacts.TryParse(entity.GetString("PortalFacts"), out var portalFacts) ? portalFacts : null,
            Attempts = entity.GetInt32("Attempts") ?? 0,
            LastError = entity.GetString("LastError"),
            NextAttemptAt = entity.GetDateTimeOffset("NextAttemptAt"),
            FailingSince = entity.GetDateTimeOffset("FailingSince"),
            ConfirmedAt = entity.GetDateTimeOffset("ConfirmedAt"),
            ChangedAt = entity.GetDateTimeOffset("ChangedAt"),
            StepsSentUpTo = entity.GetDateTimeOffset("StepsSentUpTo"),
            UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? default,
            MovedTo = entity.GetString("MovedTo"),
            ETag = isEntryRow ? entity.ETag.ToString() : null,
        };
    }
}
