using DvcSync.Application.Configuration;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static DvcSync.Infrastructure.Http.ExternalHttpClient;

namespace DvcSync.Infrastructure.ProvincialSystem;

public static class ProvincialSystemServiceCollectionExtensions
{
    public const string HttpClientName = "ProvincialSystem";
    public const string TokenHttpClientName = "ProvincialSystem.Token";

    /// <summary>Retries after the first attempt, for 5xx, 408, 429 (honouring Retry-After), time-outs and connection failures.</summary>
    public const int MaxRetryAttempts = 3;

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

        services.AddExternalClient<IProvincialTokenApi>(TokenHttpClientName, ProvincialJson.CreateRefitSettings, sp => Options(sp).BaseUri)
            .AddStandardResilienceHandler()
            .Configure(ConfigureResilience);

        var api = services.AddExternalClient<IProvincialSystemApi>(HttpClientName, ProvincialJson.CreateRefitSettings, sp => Options(sp).BaseUri);
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

    private static void ConfigureResilience(HttpStandardResilienceOptions resilience, IServiceProvider sp)
    {
        var attempt = Options(sp).Timeout;
        resilience.AttemptTimeout.Timeout = attempt;
        ConfigureRetry(resilience.Retry, MaxRetryAttempts);
        resilience.TotalRequestTimeout.Timeout = attempt * (MaxRetryAttempts + 1) + RetryMaxDelay * MaxRetryAttempts;
        var sampling = attempt * 2 + TimeSpan.FromSeconds(1);
        resilience.CircuitBreaker.SamplingDuration = sampling > TimeSpan.FromSeconds(30) ? sampling : TimeSpan.FromSeconds(30);
    }

    private static ProvincialSystemOptions Options(IServiceProvider sp) => sp.GetRequiredService<IOptions<ProvincialSystemOptions>>().Value;
}
