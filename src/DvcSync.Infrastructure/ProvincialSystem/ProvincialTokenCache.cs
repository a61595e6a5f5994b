using System.Globalization;
using System.Net;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;
using Refit;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>
/// The access token of this process (a singleton): taken with the client credentials on first use, kept until
/// shortly before <c>expires_in</c> runs out, renewed when a caller reports it refused (HTTP 401). Concurrent callers
/// share one token request — and its failure: callers that queued behind a failed request get the same exception
/// rather than starting a request each.
/// </summary>
internal sealed class ProvincialTokenCache(ProvincialSystemOptions options, TimeProvider time, ILogger<ProvincialTokenCache> logger)
{
    /// <summary>Used when the token endpoint does not say how long a token lasts.</summary>
    internal static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxRefreshAhead = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private AccessToken? _token;
    private long _completed;
    private ExternalSystemUnavailableException? _lastFailure;
    private long _tokensIssued;

    /// <summary>Tokens obtained since the process started.</summary>
    public long TokensIssued => Interlocked.Read(ref _tokensIssued);

    /// <param name="refused">The token the provincial system just answered 401 to, or null.</param>
    public async Task<AccessToken> GetAsync(IProvincialTokenApi api, AccessToken? refused, CancellationToken cancellationToken)
    {
        var seen = Volatile.Read(ref _token);
        if (Usable(seen, refused)) return seen!;
        var completedSeen = Interlocked.Read(ref _completed);

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _token;
            if (Usable(current, refused)) return current!;
            if (Interlocked.Read(ref _completed) != completedSeen && _lastFailure is { } failure)
                throw ProvincialFailures.Unavailable(failure.Reason, failure.RetryAfter); // the request this caller queued behind has just failed

            try
            {
                var fresh = await RequestAsync(api, cancellationToken).ConfigureAwait(false);
                _lastFailure = null;
                Volatile.Write(ref _token, fresh);
                Interlocked.Increment(ref _tokensIssued);
                Interlocked.Increment(ref _completed);
                return fresh;
            }
            catch (ExternalSystemUnavailableException ex)
            {
                _lastFailure = ex;
                Volatile.Write(ref _token, null);
                Interlocked.Increment(ref _completed);
                throw;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private bool Usable(AccessToken? token, AccessToken? refused) =>
        token is not null && !ReferenceEquals(token, refused) && time.GetTimestamp() < token.RenewAt;

    private async Task<AccessToken> RequestAsync(IProvincialTokenApi api, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = options.ClientId,
            ["client_secret"] = options.ClientSecret,
        };
        IApiResponse<ProvincialTokenReply> response;
        try
        {
            response = await api.RequestTokenAsync(form, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProvincialFailures.IsTransport(ex, cancellationToken))
        {
            throw Token(ProvincialFailures.FromTransport(ex, options.Timeout, cancellationToken));
        }

        using (response)
        {
            if (response.HasRequestError(out var requestError))
                throw Token(ProvincialFailures.FromTransport(requestError, options.Timeout, cancellationToken));
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var failure = ProvincialFailures.Unavailable(
                    $"the token endpoint refused the client credentials (HTTP {(int)response.StatusCode}); check {ProvincialSystemOptions.SectionName}:ClientId and {ProvincialSystemOptions.SectionName}:ClientSecret");
                logger.LogError("Provincial system token request refused for client {ClientId} (HTTP {Status})", options.ClientId, (int)response.StatusCode);
                throw failure;
            }
            if (!response.IsSuccessStatusCode)
                throw ProvincialFailures.FromStatus(response, "token request", time);
            if (response.Content is not { AccessToken: { Length: > 0 } accessToken } reply)
                throw ProvincialFailures.Unavailable("the token endpoint answered without an access_token");

            var lifetime = double.TryParse(reply.ExpiresIn, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds))
                : DefaultLifetime;
            var ahead = TimeSpan.FromTicks(Math.Min(MaxRefreshAhead.Ticks, lifetime.Ticks / 10));
            var renewAt = time.GetTimestamp() + (long)((lifetime - ahead).TotalSeconds * time.TimestampFrequency);
            logger.LogInformation("Obtained a provincial system access token valid for {Lifetime}", lifetime);
            return new AccessToken(accessToken, renewAt);
        }

        Exception Token(Exception failure) => failure is ExternalSystemUnavailableException unavailable
            ? ProvincialFailures.Unavailable($"token request: {unavailable.Reason}", unavailable.RetryAfter)
            : failure;
    }
}

/// <summary>An access token and when to stop using it (a <see cref="TimeProvider"/> timestamp).</summary>
internal sealed class AccessToken(string value, long renewAt)
{
    public string Value { get; } = value;
    public long RenewAt { get; } = renewAt;

    public override string ToString() => "AccessToken ***";
}
