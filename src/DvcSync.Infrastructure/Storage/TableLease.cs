using System.Net;
using Azure;
using Azure.Data.Tables;

namespace DvcSync.Infrastructure.Storage;

/// <summary>A lease kept in one table row: one holder at a time, taken over only after it expired.</summary>
internal sealed class TableLease(TableClient table, string partition, string row, TimeProvider clock)
{
    public async Task<bool> TryAcquireAsync(string owner, TimeSpan duration, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
        var lease = new TableEntity(partition, row) { ["Owner"] = owner, ["ExpiresAt"] = now + duration };
        try
        {
            if (!current.HasValue)
            {
                await table.AddEntityAsync(lease, cancellationToken);
                return true;
            }
            var held = current.Value!;
            if (held.GetString("Owner") != owner && held.GetDateTimeOffset("ExpiresAt") > now) return false;
            await table.UpdateEntityAsync(lease, held.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task ReleaseAsync(string owner, CancellationToken cancellationToken)
    {
        var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken);
        if (!current.HasValue || current.Value!.GetString("Owner") != owner) return;
        try
        {
            await table.DeleteEntityAsync(current.Value, current.Value.ETag, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            // Taken over after expiry, or already gone: either way no longer ours to release.
        }
    }
}
