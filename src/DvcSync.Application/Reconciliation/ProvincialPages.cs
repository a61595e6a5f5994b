using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Reconciliation;

/// <summary>
/// One pass over a window of the provincial system's changes, page by page, trusting the pages no further than
/// needed: a page whose next cursor the pass has already followed ends the pass before that page (a cursor that
/// repeats would otherwise be read until the lease runs out, and the window never finish), with <see cref="Problem"/>
/// saying so; the page is left for the next pass, which resumes from the last checkpoint, so that no checkpoint ever
/// stands on a cursor that would read it again (an audit would count it twice); a page holding more
/// dossiers than the limit asked for is logged and processed as it is (the data is real, and the client's body cap
/// bounds its memory). Shared by the reconciliation and the audit. Enumerate it once.
/// </summary>
public sealed class ProvincialPages(
    IProvincialSystem provincial,
    ILogger logger,
    DateTimeOffset from,
    DateTimeOffset to,
    string? cursor,
    int limit) : IAsyncEnumerable<ChangedDossiersPage>
{
    /// <summary>Why the pass stopped before the end of the window; null while it has not, or when it read to the end.</summary>
    public string? Problem { get; private set; }

    public async IAsyncEnumerator<ChangedDossiersPage> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var followed = new HashSet<string>(StringComparer.Ordinal);
        if (cursor is not null) followed.Add(cursor);
        var next = cursor;
        var pages = 0;
        long read = 0;
        while (true)
        {
            var page = await provincial.GetChangedAsync(from, to, next, limit, cancellationToken);
            pages++;
            read += page.Items.Count;
            if (page.Items.Count > limit)
                logger.LogWarning("The provincial system answered a page of at most {Limit} changed dossiers with {Count}; all of them are checked",
                    limit, page.Items.Count);

            if (page.NextCursor is { } following && !followed.Add(following))
            {
                // Described by its length only: the cursor is the provincial system's text, not ours to echo.
                Problem = $"the provincial system answered page {pages} of the changes from {from:o} to {to:o} with a cursor it had given before "
                          + $"({following.Length} characters); reading stopped there after {read - page.Items.Count} dossiers and resumes from the last checkpoint";
                logger.LogError("Reading provincial changes stopped: {Problem}", Problem);
                yield break;
            }
            yield return page;
            if (page.NextCursor is null) yield break;
            next = page.NextCursor;
        }
    }
}
