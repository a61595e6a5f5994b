using System.Diagnostics;
using System.Net.Sockets;
using Xunit;

namespace DvcSync.Testing;

/// <summary>
/// A real Azurite (tables, queues, blobs) on free loopback ports, in memory, for the lifetime of a test collection
/// (and of a benchmark's province). Installed by the repository's package.json (<c>npm ci</c>); the test command runs
/// that first.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Lines of Azurite's output kept for a failure message; a silent instance prints almost nothing.</summary>
    private const int OutputKept = 2000;

    private Process? _process;
    private TestLogFile? _log;
    private readonly List<string> _output = [];
    private readonly bool _silent;
    private readonly int? _nodeHeapMegabytes;

    public AzuriteFixture() : this(silent: false, nodeHeapMegabytes: null)
    {
    }

    // Not public: xUnit wants a collection fixture to have one public constructor.
    private AzuriteFixture(bool silent, int? nodeHeapMegabytes)
    {
        _silent = silent;
        _nodeHeapMegabytes = nodeHeapMegabytes;
    }

    /// <summary>
    /// For load: no access log (at a million requests Azurite's line per request costs its one thread time, and
    /// whoever reads it), and a larger Node heap, since Azurite keeps every table in one and a million rows need more.
    /// </summary>
    public static AzuriteFixture Silent(int? nodeHeapMegabytes = null) => new(silent: true, nodeHeapMegabytes);

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("Azurite has not been started");

    public int BlobPort { get; } = FreePort.Next();
    public int QueuePort { get; } = FreePort.Next();
    public int TablePort { get; } = FreePort.Next();

    /// <summary>The well-known development account, on this instance's ports.</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public async Task InitializeAsync()
    {
        var azurite = RepositoryRoot.Combine("node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
            throw new InvalidOperationException($"Azurite is not installed at {azurite}: run 'npm ci' in {RepositoryRoot.Path} (the test script does)");

        var start = new ProcessStartInfo(azurite)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        if (_nodeHeapMegabytes is { } heap) start.Environment["NODE_OPTIONS"] = $"--max-old-space-size={heap}";
        foreach (var arg in new[]
                 {
                     "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
                 })
            start.ArgumentList.Add(arg);
        if (_silent) start.ArgumentList.Add("--silent");

        // Its whole output (an access log, unless silent) to a file; the last lines also in memory, for a failure message.
        _log = TestLogFile.Named($"azurite-{TablePort}");
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when all three ports accept connections; a dead process or a minute without it fails loudly.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                    throw new InvalidOperationException("Azurite did not come up:\n" + string.Join("\n", Output()));
                }
                await Task.Delay(100);
            }
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            if (_output.Count == OutputKept) _output.RemoveAt(0);
            _output.Add(line);
        }
        _log?.WriteLine(line);
    }

    public IReadOnlyList<string> Output()
    {
        lock (_output) return _output.ToList();
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _log?.Dispose();
    }
}
