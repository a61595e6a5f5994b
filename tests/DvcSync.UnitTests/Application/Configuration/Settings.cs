using DvcSync.Application.Composition;
using DvcSync.Application.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DvcSync.UnitTests.Application.Configuration;

/// <summary>Settings as a host gets them: bound from configuration and checked by their validators when first read.</summary>
internal static class Settings
{
    public static SyncOptions Sync(IEnumerable<KeyValuePair<string, string?>> settings) =>
        Resolve<SyncOptions>((services, configuration) => services.AddSyncOptions(configuration), settings);

    /// <summary>What <paramref name="register"/> registers, resolved from a provider over <paramref name="settings"/>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is bad.</exception>
    public static T Resolve<T>(Action<IServiceCollection, IConfiguration> register, IEnumerable<KeyValuePair<string, string?>> settings) where T : notnull
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        register(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<T>();
    }
}
