using DvcSync.Api.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>The HTTP surface both hosts map: the API of sync-api.md and the dashboard's files.</summary>
    public static IServiceCollection AddSyncApi(this IServiceCollection services)
    {
        services.AddSingleton<SyncApi>();
        services.AddSingleton<ISyncApi>(sp => sp.GetRequiredService<SyncApi>());
        services.AddSingleton<DashboardAssets>();
        services.AddSingleton<IDashboardAssets>(sp => sp.GetRequiredService<DashboardAssets>());
        return services;
    }
}
