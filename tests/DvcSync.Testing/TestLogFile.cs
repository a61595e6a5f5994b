using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DvcSync.Testing;

/// <summary>
/// Where a host that a test starts writes its log, instead of the console: one file per host under
/// <c>artifacts/test-results/logs/</c>, named after the test code that started it (Azurite after its port). The fault
/// tests' warnings and stack traces are expected; kept here they can be read after a run, and the run's console shows
/// only progress and failures.
/// Every line is flushed as it is written, so a crash or a killed run keeps what came before.
/// </summary>
public sealed class TestLogFile : ILoggerProvider
{
    public static string Folder { get; } = RepositoryRoot.Combine("artifacts", "test-results", "logs");

    private static readonly ConcurrentDictionary<string, int> Started = new();
    private readonly StreamWriter _writer;
    private bool _disposed;

    private TestLogFile(string path)
    {
        Path = path;
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Path { get; }

    /// <summary>
    /// A new file <c>&lt;test file&gt;.&lt;member&gt;.&lt;host&gt;.log</c> for a host started from that member; a second
    /// host started from the same place in this run gets <c>-2</c>, and so on.
    /// </summary>
    public static TestLogFile Create(string host, string callerFile, string callerMember) =>
        Named($"{System.IO.Path.GetFileNameWithoutExtension(callerFile)}.{callerMember}.{host}");

    /// <summary>A new file <c>&lt;name&gt;.log</c>, or <c>&lt;name&gt;-2.log</c> and so on when the name was used in this run.</summary>
    public static TestLogFile Named(string name)
    {
        Directory.CreateDirectory(Folder);
        var count = Started.AddOrUpdate(name, 1, (_, started) => started + 1);
        return new TestLogFile(System.IO.Path.Combine(Folder, count == 1 ? $"{name}.log" : $"{name}-{count}.log"));
    }

    /// <summary>Appends a line; one that comes after the file is closed (a dying process's last words) is dropped.</summary>
    public void WriteLine(string line)
    {
        lock (_writer)
            if (!_disposed) _writer.WriteLine(line);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
        lock (_writer)
        {
            _disposed = true;
            _writer.Dispose();
        }
    }

    private sealed class Logger(TestLogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"{DateTimeOffset.Now:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}";
            file.WriteLine(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}
