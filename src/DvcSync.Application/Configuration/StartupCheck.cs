using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DvcSync.Application.Configuration;

/// <summary>
/// How both programs start: build the host, check every setting of every section at once, and on a bad one print
/// each problem on its own line naming its key — no stack trace, since a configuration mistake is the operator's to fix
/// — and exit with <see cref="BadConfiguration"/>.
/// </summary>
public static class StartupCheck
{
    /// <summary>The exit code of a program stopped by its configuration (or, for a command, by its arguments).</summary>
    public const int BadConfiguration = 2;

    /// <returns>The host, its settings valid; null once the problems are written to <paramref name="error"/>.</returns>
    public static async Task<THost?> BuildAsync<THost>(Func<THost> build, TextWriter error) where THost : class, IHost
    {
        THost? host = null;
        try
        {
            host = build();
            host.Services.GetService<IStartupValidator>()?.Validate();
            return host;
        }
        catch (Exception e) when (Problems(e) is { Count: > 0 } problems)
        {
            if (host is IAsyncDisposable disposable) await disposable.DisposeAsync();
            else host?.Dispose();
            foreach (var problem in problems.Distinct()) await error.WriteLineAsync("Configuration error: " + problem);
            return null;
        }
    }

    /// <summary>What a failed start says about the configuration; empty when the failure is something else.</summary>
    public static List<string> Problems(Exception e) => e switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(Problems).ToList(),
        // A setting read while the host is built (the telemetry's authentication string) throws this, naming its key.
        InvalidOperationException invalid => [invalid.Message],
        _ => [],
    };
}
