using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Refit;

namespace DvcSync.Infrastructure.Http;

/// <summary>
/// How both external systems' clients are wired: a Refit client through HttpClientFactory at the base address of its
/// options, time-outs left to the resilience pipeline, and retries that back off exponentially with jitter and honour
/// <c>Retry-After</c>. What differs between the two (the portal's rate gate, the provincial token) is added by each.
/// </summary>
internal static class ExternalHttpClient
{
    /// <summary>The first retry's delay, before jitter; each next one doubles it.</summary>
    public static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a retry waits, whatever a Retry-After says.</summary>
    public static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The client named <paramref name="name"/>. It has no time-out of its own: time-outs are per attempt, in the
    /// resilience pipeline, and nothing else may cut short a wait the pipeline allows (a rate slot, a retry's delay).
    /// </summary>
    public static IHttpClientBuilder AddExternalClient<TApi>(this IServiceCollection services, string name, Func<RefitSettings> settings,
        Func<IServiceProvider, Uri> baseUri) where TApi : class =>
        services.AddRefitGeneratedClient<TApi>(_ => settings(), name)
            .ConfigureHttpClient((sp, http) =>
            {
                http.BaseAddress = baseUri(sp);
                http.Timeout = Timeout.InfiniteTimeSpan;
            });

    /// <summary>Retries, up to <paramref name="maxRetryAttempts"/> after the first attempt: exponential, with jitter, honouring Retry-After.</summary>
    public static void ConfigureRetry(HttpRetryStrategyOptions retry, int maxRetryAttempts)
    {
        retry.MaxRetryAttempts = maxRetryAttempts;
        retry.BackoffType = DelayBackoffType.Exponential;
        retry.UseJitter = true;
        retry.Delay = RetryBaseDelay;
        retry.MaxDelay = RetryMaxDelay;
        retry.ShouldRetryAfterHeader = true;
    }

    /// <summary>The host's clock, or the system's where none is registered (a client wired on its own, in a test).</summary>
    public static TimeProvider TimeOf(IServiceProvider sp) => sp.GetService<TimeProvider>() ?? TimeProvider.System;
}
