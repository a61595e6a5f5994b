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

namespace DvcSync.Infrastructure.ProvincialSystem;

public static class ProvincialSystemServiceCollectionExtensions
{
    public const string HttpClientName = "ProvincialSystem";
    public const string TokenHttpClientName = "ProvincialSystem.Token";

    /// <summary>Retries after the first attempt, for 5xx, 408, 429 (honouring Retry-After), time-outs and connection failures.</summary>
    public const int MaxRetryAttempts = 3;

    internal static readonly TimeSpan RetryBaseDelay = TimeSpan.FromMilliseconds(500);
    internal static readonly TimeSpan RetryMaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <see cref="IProvincialSystem"/> from the configuration section <c>ProvincialSystem</c> (validated at start-up).
    /// Both HTTP clients (the API and the token endpoint) use the standard resilience handler: retries on
    /// 5xx/408/429 honouring Retry-After and on time-outs, a per-attempt time-out of <c>ProvincialSystem:TimeoutSeconds</c>.
    /// The API client's bearer handler sits inside it, so every attempt carries a valid token.
    /// </summary>
    public static IServiceCollection AddProvincialSystemClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddSettings<ProvincialSystemOptions, ProvincialSystemOptionsValidator>(configuration);

        services.TryAddSingleton(sp => new ProvincialTokenCache(Options(sp), TimeOf(sp), sp.GetRequiredService<ILogger<ProvincialTokenCache>>()));
        services.TryAddTransient(sp => new ProvincialBearerHandler(sp.GetRequiredService<ProvincialTokenCache>(), sp.GetRequiredService<IProvincialTokenApi>()));

        services.AddRefitGeneratedClient<IProvincialTokenApi>(_ => ProvincialJson.CreateRefitSettings(), TokenHttpClientName)
            .ConfigureHttpClient(Configure)
            .AddStandardResilienceHandler()
            .Configure(ConfigureResilience);

        var api = services.AddRefitGeneratedClient<IProvincialSystemApi>(_ => ProvincialJson.CreateRefitSettings(), HttpClientName)
            .ConfigureHttpClient(Configure);
        api.AddStandardResilienceHandler().Configure(ConfigureResilience);
        // Added after the resilience handler, so it sits inside it: each attempt gets a current token.
        api.AddHttpMessageHandler<ProvincialBearerHandler>();
        // Innermost: each attempt's answer is read within its time-out, and never beyond the cap.
        api.AddHttpMessageHandler(sp => new ProvincialAnswerSizeLimit(Options(sp).MaxPageBytes));

        services.AddTransient<IProvincialSystem>(sp => new ProvincialSystemClient(
            sp.GetRequiredService<IProvincialSystemApi>(),
            sp.GetRequiredService<IOptions<ProvincialSystemOptions>>(),
            TimeOf(sp),
            sp.GetRequiredService<ILogger<ProvincialSystemClient>>()));
        return services;
    }

    private static void Configure(IServiceProvider sp, HttpClient http)
    {
        http.BaseAddress = Options(sp).BaseUri;
        http.Timeout = Timeout.InfiniteTimeSpan; // time-outs are the resilience pipeline's
    }

    private static void ConfigureResilience(HttpStandardResilienceOptions resilience, IServiceProvider sp)
    {
        var attempt = Options(sp).Timeout;
        resilience.AttemptTimeout.Timeout = attempt;
        resilience.Retry.MaxRetryAttempts = MaxRetryAttempts;
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = RetryBaseDelay;
        resilience.Retry.MaxDelay = RetryMaxDelay;
        resilience.Retry.ShouldRetryAfterHeader = true;
        resilience.TotalRequestTimeout.Timeout = attempt * (MaxRetryAttempts + 1) + RetryMaxDelay * MaxRetryAttempts;
        var sampling = attempt * 2 + TimeSpan.FromSeconds(1);
        resilience.CircuitBreaker.SamplingDuration = sampling > TimeSpan.FromSeconds(30) ? sampling : TimeSpan.FromSeconds(30);
    }

    private static ProvincialSystemOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<ProvincialSystemOptions>>().Value;

    private static TimeProvider TimeOf(IServiceProvider sp) => sp.GetService<TimeProvider>() ?? TimeProvider.System;
}
