namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>
/// An answer of the provincial system larger than <c>ProvincialSystem:MaxPageBytes</c>: whatever it holds, reading it
/// would cost memory the process cannot bound.
/// </summary>
public sealed class ProvincialAnswerTooLargeException(string message) : Exception(message);

/// <summary>
/// Refuses an answer larger than the cap before it is parsed: by its Content-Length, or while reading it when it has
/// none. The body is read into memory here, inside the per-attempt time-out, so what is parsed is bounded by the cap.
/// </summary>
internal sealed class ProvincialAnswerSizeLimit(long maxBytes) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.Content.Headers.ContentLength > maxBytes) throw TooLarge();
            var body = await ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var buffered = new ByteArrayContent(body);
            foreach (var header in response.Content.Headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content.Dispose();
            response.Content = buffered;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<byte[]> ReadAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (copy.Length + read > maxBytes) throw TooLarge();
            copy.Write(chunk, 0, read);
        }
        return copy.ToArray();
    }

    private ProvincialAnswerTooLargeException TooLarge() =>
        new($"the answer is larger than {ProvincialSystemOptions.SectionName}:MaxPageBytes ({maxBytes} bytes)");
}
