using System.Diagnostics;
using System.Net.Sockets;

namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>
/// A real Azurite (tables, queues, blobs) on free loopback ports, in memory, for the lifetime of a test collection.
/// Installed by the repository's package.json (<c>npm ci</c>); the test command runs that first.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Process? _process;
    private readonly List<string> _output = [];

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
        foreach (var arg in new[]
                 {
                     "--inMemoryPersistence", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
                     "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
                     "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
                 })
            start.ArgumentList.Add(arg);

        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        // Ready when all three ports accept connections; a dead process or a minute without it fails loudly.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        foreach (var port in new[] { BlobPort, QueuePort, TablePort })
        {
            while (!await AcceptsAsync(port))
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                    throw new InvalidOperationException("Azurite did not come up:\n" + string.Join("\n", Output()));
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
    }
}
