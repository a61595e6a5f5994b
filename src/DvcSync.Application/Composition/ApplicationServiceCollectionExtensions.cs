using DvcSync.Application.Agencies;
using DvcSync.Application.Audit;
using DvcSync.Application.Configuration;
using DvcSync.Application.Health;
using DvcSync.Application.Indicators;
using DvcSync.Application.PortalAvailability;
using DvcSync.Application.Reconciliation;
using DvcSync.Application.Repair;
using DvcSync.Application.Resync;
using DvcSync.Application.Telemetry;
using DvcSync.Application.Unsynced;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DvcSync.Application.Composition;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>The use cases, shared by both hosts, with their settings (checked at start).</summary>
    public static IServiceCollection AddSyncHandlers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSyncOptions(configuration);
        services.AddSettings<ScorecardScoringOptions, ScorecardScoringOptionsValidator>(configuration);
        services.AddSettings<SyncRateScoringOptions, SyncRateScoringOptionsValidator>(configuration)
            .PostConfigure<IOptions<ScorecardScoringOptions>>((syncRate, scorecard) => scorecard.Value.ApplyTo(syncRate));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<SyncOptions>();
            return new PortalCircuit(sp.GetRequiredService<TimeProvider>(), options.CircuitBreak, options.CircuitMaxBreak, options.CircuitFailureThreshold);
        });
        services.AddHostedService<PortalCircuitReporter>();
        services.AddSingleton<AgencyDirectory>();
        services.AddMetrics();
        services.AddSingleton<SyncTelemetry>();
        services.AddSingleton<FreshnessWindow>();
        services.AddSingleton<DossierCheckPipeline>();
        services.AddSingleton<ReconcileHandler>();
        services.AddSingleton<IReconcileHandler, MeteredReconcileHandler>();
        services.AddSingleton<AuditTrigger>();
        services.AddSingleton<AuditHandler>();
        services.AddSingleton<IAuditHandler>(sp => sp.GetRequiredService<AuditHandler>());
        services.AddSingleton<ProcedureCatalogue>();
        services.AddSingleton<PoisonDrainHandler>();
        services.AddSingleton<IPoisonDrainHandler, MeteredPoisonDrainHandler>();
        services.AddSingleton<RepairHandler>();
        services.AddSingleton<IRepairHandler, MeteredRepairHandler>();
        services.AddSingleton<SyncRateQuery>();
        services.AddSingleton<ScorecardQuery>();
        services.AddSingleton<UnsyncedQuery>();
        services.AddSingleton<HealthQuery>();
        services.AddSingleton<ResyncCommand>();
        return services;
    }

    /// <summary><see cref="SyncOptions"/> from the <c>Sync</c> section, its default history start taken from the clock once.</summary>
    public static IServiceCollection AddSyncOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSettings<SyncOptions, SyncOptionsValidator>(configuration)
            .PostConfigure<TimeProvider>((options, clock) => options.ResolveHistoryFrom(clock.GetUtcNow()));
        return services;
    }
}
