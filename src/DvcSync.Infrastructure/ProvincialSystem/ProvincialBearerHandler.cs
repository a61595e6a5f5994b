using System.Net;
using System.Net.Http.Headers;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>
/// Adds <c>Authorization: Bearer</c> to every call; on HTTP 401 takes a new token once and repeats the call. A
/// second 401 is returned as it is, for the client to report.
/// </summary>
internal sealed class ProvincialBearerHandler(ProvincialTokenCache tokens, IProvincialTokenApi tokenApi) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(tokenApi, null, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;

        response.Dispose();
        var fresh = await tokens.GetAsync(tokenApi, token, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
