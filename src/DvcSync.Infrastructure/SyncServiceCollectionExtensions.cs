using DvcSync.Application.Composition;
using DvcSync.Application.PortalAvailability;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.NationalPortal;
using DvcSync.Infrastructure.ProvincialSystem;
using DvcSync.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Infrastructure;

/// <summary>Everything both hosts share, wired in one place, grouped by concern.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <param name="store">The Functions app keeps Azure Storage; the standalone host may run on the embedded store.</param>
    public static IServiceCollection AddDvcSync(this IServiceCollection services, IConfiguration configuration, StoreChoice store = StoreChoice.StorageAccount)
    {
        // Use cases
        services.AddSyncHandlers(configuration);

        // Storage: ledger, pipeline state, audit, repair queue
        services.AddStore(configuration, store);

        // External systems
        services.AddProvincialSystemClient(configuration);
        services.AddNationalPortalClient(configuration);
        // Outermost first: the circuit (sends nothing while the portal is down) → the availability record → the client.
        Decorate<INationalPortal>(services, (sp, inner) =>
            new PortalAvailabilityRecorder(inner, sp.GetRequiredService<IPipelineState>(), sp.GetRequiredService<TimeProvider>()));
        Decorate<INationalPortal>(services, (sp, inner) => new CircuitBreakingPortal(inner, sp.GetRequiredService<PortalCircuit>()));

        return services;
    }

    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> decorate) where T : class
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(T) && !d.IsKeyedService)
            ?? throw new InvalidOperationException($"{typeof(T).Name} must be registered before it is decorated");
        services.Remove(descriptor);
        services.Add(ServiceDescriptor.Describe(typeof(T), sp => decorate(sp, (T)Create(sp, descriptor)), descriptor.Lifetime));
    }

    private static object Create(IServiceProvider sp, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(sp)
        ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
}
