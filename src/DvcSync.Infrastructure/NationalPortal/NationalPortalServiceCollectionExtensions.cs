using DvcSync.Application.Configuration;
using DvcSync.Application.Telemetry;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using static DvcSync.Infrastructure.Http.ExternalHttpClient;

namespace DvcSync.Infrastructure.NationalPortal;

public static class NationalPortalServiceCollectionExtensions
{
    public const string HttpClientName = "NationalPortal";

    /// <summary>Retries after the first attempt, for 5xx, 429, time-outs and connection failures.</summary>
    public const int MaxRetryAttempts = 2;

    /// <summary>
    /// <see cref="INationalPortal"/> from the configuration section <c>NationalPortal</c> (validated at start-up), with
    /// the process-wide <see cref="PortalRateGate"/> as a singleton; its figures go to <see cref="SyncTelemetry"/>.
    /// The HTTP pipeline, outermost first: retry (2, exponential with jitter, honouring Retry-After) → rate gate
    /// (every attempt, sign-in included, takes a slot) → per-attempt time-out (<c>NationalPortal:TimeoutSeconds</c>)
    /// → network. No circuit breaker: the application layer owns that decision.
    /// </summary>
    public static IServiceCollection AddNationalPortalClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSettings<NationalPortalOptions, NationalPortalOptionsValidator>(configuration);

        services.AddMetrics();
        services.TryAddSingleton<SyncTelemetry>();
        services.TryAddSingleton(sp => new PortalRateGate(Options(sp).MaxRequestsPerSecond, TimeOf(sp), margin: TimeSpan.FromMilliseconds(Options(sp).RateMarginMilliseconds)));
        services.TryAddSingleton<IPortalPace>(sp => sp.GetRequiredService<PortalRateGate>());
        services.TryAddSingleton(sp => new PortalSessionCache(TimeOf(sp)));
        services.TryAddTransient(sp => new PortalRateLimitingHandler(
            sp.GetRequiredService<PortalRateGate>(), sp.GetRequiredService<SyncTelemetry>(), TimeOf(sp)));

        var client = services.AddExternalClient<INationalPortalApi>(HttpClientName, PortalJson.CreateRefitSettings, sp => Options(sp).BaseUri);
        // Every portal write is idempotent by protocol (insert → "-3" → update, update → "-4" → insert, steps keyed by
        // MaHoSo, time and status), so POSTs are retried like GETs. A Retry-After longer than the retry's longest delay
        // still holds: the rate gate honours all of it.
        var retry = new HttpRetryStrategyOptions();
        ConfigureRetry(retry, MaxRetryAttempts);
        client.AddResilienceHandler("retry", builder => builder.AddRetry(retry));
        // Inside the retry handler: every attempt, the first and each retry, takes a slot of the rate gate.
        client.AddHttpMessageHandler<PortalRateLimitingHandler>();
        // Inside the gate: the time-out covers the portal's answer, not the wait for a slot.
        client.AddResilienceHandler("attempt-timeout", (builder, context) =>
            builder.AddTimeout(context.ServiceProvider.GetRequiredService<IOptions<NationalPortalOptions>>().Value.Timeout));

        services.AddTransient<INationalPortal>(sp => new NationalPortalClient(
            sp.GetRequiredService<INationalPortalApi>(),
            sp.GetRequiredService<PortalSessionCache>(),
            sp.GetRequiredService<IOptions<NationalPortalOptions>>(),
            sp.GetRequiredService<SyncTelemetry>(),
            TimeOf(sp),
            sp.GetRequiredService<ILogger<NationalPortalClient>>()));
        return services;
    }

    private static NationalPortalOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<NationalPortalOptions>>().Value;
}
