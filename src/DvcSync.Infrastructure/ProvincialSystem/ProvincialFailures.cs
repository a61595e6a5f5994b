using System.Net;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace DvcSync.Infrastructure.ProvincialSystem;

/// <summary>Turns what the HTTP stack reports into <see cref="ExternalSystemUnavailableException"/>s that never carry a secret or a token.</summary>
internal static class ProvincialFailures
{
    public const string SystemName = "ProvincialSystem";

    public static ExternalSystemUnavailableException Unavailable(string reason, TimeSpan? retryAfter = null, Exception? inner = null) =>
        new(SystemName, reason, retryAfter, inner);

    public static bool IsTransport(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        OperationCanceledException or HttpRequestException or ExecutionRejectedException or IOException
            or ApiException or System.Text.Json.JsonException => true,
        _ => false,
    };

    /// <summary>
    /// The failure of a call that got no usable answer: rethrows the caller's cancellation, passes on an
    /// <see cref="ExternalSystemUnavailableException"/> raised below (the token endpoint), describes the rest.
    /// Exceptions are kept as inner exceptions only when they cannot hold request content.
    /// </summary>
    public static Exception FromTransport(Exception ex, TimeSpan attemptTimeout, CancellationToken cancellationToken)
    {
        var cause = ex is ApiRequestException { InnerException: { } inner } ? inner : ex;
        if (cause is OperationCanceledException && cancellationToken.IsCancellationRequested)
            return new OperationCanceledException("The caller cancelled the provincial system call.", cause, cancellationToken);
        if (cause is ExternalSystemUnavailableException unavailable) return unavailable;
        return cause switch
        {
            TimeoutRejectedException => Unavailable($"no answer within {attemptTimeout.TotalSeconds:0.###} s, after retries"),
            BrokenCircuitException => Unavailable("too many recent failures; the circuit is open"),
            ExecutionRejectedException => Unavailable("the call was rejected by the client's own resilience pipeline"),
            OperationCanceledException => Unavailable("the call timed out"),
            HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => Unavailable($"could not be reached ({http.HttpRequestError})"),
            HttpRequestException => Unavailable("could not be reached"),
            System.Text.Json.JsonException => Unavailable("the answer could not be read as JSON"),
            _ => Unavailable($"the call failed ({cause.GetType().Name})"),
        };
    }

    /// <summary>A non-2xx status that survived the retries.</summary>
    public static ExternalSystemUnavailableException FromStatus(IApiResponse response, string what, TimeProvider time)
    {
        var status = (int?)response.StatusCode ?? 0;
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => Unavailable($"{what}: HTTP 401 even with a fresh access token; check {ProvincialSystemOptions.SectionName}:ClientId and the client's rights"),
            HttpStatusCode.Forbidden => Unavailable($"{what}: HTTP 403, the client is not allowed to read this; check {ProvincialSystemOptions.SectionName}:ClientId and the client's rights"),
            HttpStatusCode.TooManyRequests => Unavailable($"{what}: HTTP 429, the provincial system is throttling this client", RetryAfter.From(response.Headers, time)),
            _ => Unavailable($"{what}: HTTP {status}", status >= 500 ? RetryAfter.From(response.Headers, time) : null),
        };
    }
}
