using System.Globalization;
using System.Net;
using Azure;
using Azure.Data.Tables;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.Storage;

/// <summary>The current audit and its lease, beside the reconciliation's state.</summary>
internal sealed class TableAuditStore(TableClient table, TimeProvider clock) : IAuditStore
{
    private const string Partition = "audit";
    private const string CurrentRow = "current";
    private readonly TableLease _lease = new(table, Partition, "lease", clock);

    public async Task<AuditJob?> GetAsync(CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, CurrentRow, cancellationToken: cancellationToken);
        return row.HasValue ? ToJob(row.Value!) : null;
    }

    public async Task<AuditJob?> TrySaveAsync(AuditJob? previous, AuditJob next, CancellationToken cancellationToken)
    {
        var entity = ToEntity(next);
        try
        {
            var response = previous?.ETag is null
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, new ETag(previous.ETag), TableUpdateMode.Replace, cancellationToken);
            return ToJob(entity) with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    public Task<bool> TryAcquireLeaseAsync(string owner, TimeSpan duration, CancellationToken cancellationToken) =>
        _lease.TryAcquireAsync(owner, duration, cancellationToken);

    public Task ReleaseLeaseAsync(string owner, CancellationToken cancellationToken) => _lease.ReleaseAsync(owner, cancellationToken);

    private static TableEntity ToEntity(AuditJob job) => new(Partition, CurrentRow)
    {
        ["Id"] = job.Id,
        ["From"] = Day(job.From),
        ["To"] = Day(job.To),
        ["Agency"] = job.Agency,
        ["Status"] = job.Status,
        ["RequestedAt"] = job.RequestedAt,
        ["ReadUpTo"] = job.ReadUpTo,
        ["StartedAt"] = job.StartedAt,
        ["FinishedAt"] = job.FinishedAt,
        ["UpdatedAt"] = job.UpdatedAt,
        ["Cursor"] = job.Cursor,
        ["PagesDone"] = job.PagesDone,
        ["Total"] = job.Total,
        ["Done"] = job.Done,
        ["InFlight"] = job.InFlight,
        ["Read"] = job.Read,
        ["PortalLookups"] = job.PortalLookups,
        ["Mismatches"] = job.Mismatches,
        ["RepairsQueued"] = job.RepairsQueued,
        ["CallRate"] = job.CallRate,
        ["SecondsLeft"] = job.SecondsLeft,
        ["Error"] = job.Error is { Length: > 1000 } e ? e[..1000] : job.Error,
    };

    private static AuditJob ToJob(TableEntity e) => new()
    {
        Id = e.GetString("Id") ?? "",
        From = ParseDay(e.GetString("From")),
        To = ParseDay(e.GetString("To")),
        Agency = e.GetString("Agency"),
        Status = e.GetString("Status") ?? AuditStatus.Queued,
        RequestedAt = e.GetDateTimeOffset("RequestedAt") ?? default,
        ReadUpTo = e.GetDateTimeOffset("ReadUpTo") ?? default,
        StartedAt = e.GetDateTimeOffset("StartedAt"),
        FinishedAt = e.GetDateTimeOffset("FinishedAt"),
        UpdatedAt = e.GetDateTimeOffset("UpdatedAt") ?? default,
        Cursor = e.GetString("Cursor"),
        PagesDone = e.GetInt64("PagesDone") ?? 0,
        Total = e.GetInt64("Total") ?? 0,
        Done = e.GetInt64("Done") ?? 0,
        InFlight = e.GetInt64("InFlight") ?? 0,
        Read = e.GetInt64("Read") ?? 0,
        PortalLookups = e.GetInt64("PortalLookups") ?? 0,
        Mismatches = e.GetInt64("Mismatches") ?? 0,
        RepairsQueued = e.GetInt64("RepairsQueued") ?? 0,
        CallRate = e.GetDouble("CallRate") ?? 0,
        SecondsLeft = e.GetDouble("SecondsLeft"),
        Error = e.GetString("Error"),
        ETag = e.ETag.ToString(),
    };

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string? text) => DateOnly.ParseExact(text ?? "0001-01-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
