using System.Net;
using DvcSync.Application.Telemetry;
using DvcSync.Infrastructure.Http;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// Puts every HTTP attempt to the portal through the process-wide <see cref="PortalRateGate"/>. It sits inside the
/// retry handler (so each retry takes its own slot) and outside the per-attempt time-out (so waiting for a slot is
/// not counted as the portal being slow). A 429 from the portal pauses every caller for its Retry-After.
/// </summary>
internal sealed class PortalRateLimitingHandler(PortalRateGate gate, SyncTelemetry telemetry, TimeProvider time) : DelegatingHandler
{
    /// <summary>When the portal says 429 without a Retry-After, everyone waits this long.</summary>
    internal static readonly TimeSpan DefaultPause = TimeSpan.FromSeconds(1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        using (var lease = await gate.AcquireAsync(cancellationToken).ConfigureAwait(false))
        {
            telemetry.PortalHttpRequests.Add(1);
            // The slot counts from when the bytes leave, not from the grant: a request that first waits for a new
            // connection (at start-up, after the portal closed one) reaches the portal later than its grant says.
            var content = request.Content;
            if (content is not null) request.Content = new SendStampingContent(content, lease.MarkSent);
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // A retry sends the same message again; it must not find this attempt's wrapper around the body.
                request.Content = content;
            }
            lease.MarkAnswered();
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            telemetry.PortalThrottled.Add(1);
            gate.PauseFor(RetryAfter.From(response.Headers, time) ?? DefaultPause);
        }
        return response;
    }
}

/// <summary>The request body, unchanged, telling the gate the moment the connection starts writing it.</summary>
internal sealed class SendStampingContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly Action _onSend;

    public SendStampingContent(HttpContent inner, Action onSend)
    {
        _inner = inner;
        _onSend = onSend;
        foreach (var header in inner.Headers) Headers.TryAddWithoutValidation(header.Key, header.Value);
    }

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        _onSend();
        return _inner.CopyToAsync(stream, context, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_inner.Headers.ContentLength is { } known)
        {
            length = known;
            return true;
        }
        length = 0;
        return false;
    }

    // The caller owns the body it passed in; disposing this wrapper must not dispose it.
    protected override void Dispose(bool disposing) { }
}
