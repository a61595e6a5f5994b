using DvcSync.Application.Configuration;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Refit;

namespace DvcSync.Infrastructure.NationalPortal;

public static class NationalPortalServiceCollectionExtensions
{
    public const string HttpClientName = "NationalPortal";

    /// <summary>Retries after the first attempt, for 5xx, 429, time-outs and connection failures.</summary>
    public const int MaxRetryAttempts = 2;

    internal static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a retry waits, whatever a Retry-After says (the rate gate still honours all of it).</summary>
    internal static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <see cref="INationalPortal"/> from the configuration section <c>NationalPortal</c> (validated at start-up), with
    /// <see cref="NationalPortalCallStats"/> and the process-wide <see cref="PortalRateGate"/> as singletons.
    /// The HTTP pipeline, outermost first: retry (2, exponential with jitter, honouring Retry-After) → rate gate
    /// (every attempt, sign-in included, takes a slot) → per-attempt time-out (<c>NationalPortal:TimeoutSeconds</c>)
    /// → network. No circuit breaker: the application layer owns that decision.
    /// </summary>
    public static IServiceCollection AddNationalPortalClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSettings<NationalPortalOptions, NationalPortalOptionsValidator>(configuration);

        services.TryAddSingleton<NationalPortalCallStats>();
        services.TryAddSingleton(sp => new PortalRateGate(Options(sp).MaxRequestsPerSecond, TimeOf(sp), margin: TimeSpan.FromMilliseconds(Options(sp).RateMarginMilliseconds)));
        services.TryAddSingleton(sp => new PortalSessionCache(TimeOf(sp)));
        services.TryAddTransient(sp => new PortalRateLimitingHandler(
            sp.GetRequiredService<PortalRateGate>(), sp.GetRequiredService<NationalPortalCallStats>(), TimeOf(sp)));

        var client = services.AddRefitGeneratedClient<INationalPortalApi>(_ => PortalJson.CreateRefitSettings(), HttpClientName)
            .ConfigureHttpClient((sp, http) =>
            {
                http.BaseAddress = Options(sp).BaseUri;
                // Time-outs are per attempt, in the pipeline; the wait for a rate slot must not be cut short here.
                http.Timeout = Timeout.InfiniteTimeSpan;
            });
        client.AddResilienceHandler("retry", builder => builder.AddRetry(new HttpRetryStrategyOptions
        {
            // Every portal write is idempotent by protocol (insert → "-3" → update, update → "-4" → insert, steps
            // keyed by MaHoSo, time and status), so POSTs are retried like GETs.
            MaxRetryAttempts = MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = RetryBaseDelay,
            MaxDelay = RetryMaxDelay,
            ShouldRetryAfterHeader = true,
        }));
        // Inside the retry handler: every attempt, the first and each retry, takes a slot of the rate gate.
        client.AddHttpMessageHandler<PortalRateLimitingHandler>();
        // Inside the gate: the time-out covers the portal's answer, not the wait for a slot.
        client.AddResilienceHandler("attempt-timeout", (builder, context) =>
            builder.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<NationalPortalOptions>>().Value.Timeout));

        services.AddTransient<INationalPortal>(sp => new NationalPortalClient(
            sp.GetRequiredService<INationalPortalApi>(),
            sp.GetRequiredService<PortalSessionCache>(),
            sp.GetRequiredService<IOptions<NationalPortalOptions>>(),
            sp.GetRequiredService<NationalPortalCallStats>(),
            TimeOf(sp),
            sp.GetRequiredService<ILogger<NationalPortalClient>>()));
        return services;
    }

    private static NationalPortalOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<NationalPortalOptions>>().Value;

    private static TimeProvider TimeOf(IServiceProvider sp) => sp.GetService<TimeProvider>() ?? TimeProvider.System;
}
