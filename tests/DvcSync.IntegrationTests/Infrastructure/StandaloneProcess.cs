using System.Diagnostics;
using System.Runtime.CompilerServices;
using DvcSync.Simulators;

namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>
/// The standalone host as its own process, configured by environment variables as an operator would. Its output is
/// kept for the test and written to a log file (<see cref="TestLogFile"/>).
/// </summary>
public sealed class StandaloneProcess : IAsyncDisposable
{
    private static readonly string Dll = Path.Combine(Path.GetDirectoryName(typeof(DvcSync.Standalone.StandaloneApp).Assembly.Location)!, "DvcSync.Standalone.dll");
    private readonly Process _process;
    private readonly TestLogFile _log;
    private readonly List<string> _output = [];

    private StandaloneProcess(Process process, int port, TestLogFile log)
    {
        _process = process;
        _log = log;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.Add(line);
        _log.WriteLine(line);
    }

    /// <summary>Set in a host's environment, it loses a background service soon after start (<see cref="StartupHook"/>).</summary>
    public static KeyValuePair<string, string> FailingBackgroundService { get; } =
        new("DOTNET_STARTUP_HOOKS", typeof(StartupHook).Assembly.Location);

    public int Port { get; }
    public HttpClient Http { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<string> Output()
    {
        lock (_output) return _output.ToList();
    }

    /// <summary>The settings that point a host at Azurite and both simulators, with the test keys.</summary>
    public static Dictionary<string, string> Environment(AzuriteFixture azurite, SimulatorHost simulators, string tablePrefix, int ceiling) => new()
    {
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
        ["Sync__TablePrefix"] = tablePrefix,
        ["Sync__RepairQueue"] = "repair-" + tablePrefix,
        ["Sync__HistoryFrom"] = simulators.Options.ScenarioStart.ToString("yyyy-MM-dd"),
        ["NationalPortal__BaseUrl"] = simulators.PortalBaseUrl,
        ["NationalPortal__Username"] = simulators.Credentials.PortalUsername,
        ["NationalPortal__Password"] = simulators.Credentials.PortalPassword,
        ["NationalPortal__DstCode"] = simulators.Credentials.PortalDstCode,
        ["NationalPortal__MaDonVi"] = simulators.Credentials.PortalMaDonVi,
        ["NationalPortal__MaxRequestsPerSecond"] = ceiling.ToString(),
        ["ProvincialSystem__BaseUrl"] = simulators.ProvincialBaseUrl,
        ["ProvincialSystem__ClientId"] = simulators.Credentials.ProvincialClientId,
        ["ProvincialSystem__ClientSecret"] = simulators.Credentials.ProvincialClientSecret,
        ["Api__Keys"] = SyncEnvironment.ReadKey,
        ["Api__AdminKeys"] = SyncEnvironment.AdminKey,
    };

    /// <param name="callerFile">With <paramref name="callerMember"/>, names the process's log file.</param>
    public static StandaloneProcess Start(IDictionary<string, string> environment, int? port = null,
        [CallerFilePath] string callerFile = "", [CallerMemberName] string callerMember = "")
    {
        var chosen = port ?? FreePort.Next();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{chosen}");
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var log = TestLogFile.Create("standalone-process", callerFile, callerMember);
        return new StandaloneProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), chosen, log);
    }

    /// <summary>The program run as a command (<c>DvcSync.Standalone audit …</c>): no web server, it exits when done.</summary>
    public static StandaloneProcess StartCommand(IDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var log = TestLogFile.Create("command", nameof(StandaloneProcess), arguments.FirstOrDefault() ?? "none");
        return new StandaloneProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"), 0, log);
    }

    public async Task<System.Net.HttpStatusCode?> TryGetAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Polls a condition with a deadline; fails with the host's last output if the host dies or time runs out.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (!await condition())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited in vain for {what}; the host's last output ({_log.Path} has it all):\n" + string.Join("\n", Output().TakeLast(40)));
            await Task.Delay(100);
        }
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing — a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Http.Dispose();
        _process.Dispose();
        _log.Dispose();
    }
}
