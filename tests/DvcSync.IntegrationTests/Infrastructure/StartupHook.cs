using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>
/// A .NET startup hook (<c>DOTNET_STARTUP_HOOKS=&lt;this assembly&gt;</c> in a child process's environment) that adds a
/// background service failing half a second after start to the host the program builds, as the framework's own
/// test tooling reaches a host (its "HostBuilding" diagnostic event): how a test makes the real standalone process lose
/// a background service without a test switch in the product. The runtime requires this name, in no namespace.
/// </summary>
internal static class StartupHook
{
    public const string FailureMessage = "a background service failing on purpose (test startup hook)";

    public static void Initialize() => DiagnosticListener.AllListeners.Subscribe(new Listeners());

    private sealed class Listeners : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == "Microsoft.Extensions.Hosting") listener.Subscribe(new HostBuilding());
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }
    }

    private sealed class HostBuilding : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value is { Key: "HostBuilding", Value: IHostBuilder builder })
                builder.ConfigureServices(services => services.AddHostedService<FailingService>());
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }
    }

    private sealed class FailingService : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            throw new InvalidOperationException(FailureMessage);
        }
    }
}
