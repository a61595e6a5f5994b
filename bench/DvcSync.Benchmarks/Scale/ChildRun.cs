using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DvcSync.Benchmarks.Scale;

/// <summary>What a measured run is to do, handed to a child process as a file.</summary>
internal sealed record ChildSpec
{
    /// <summary>
    /// <c>reconcile</c>, <c>audit</c>, <c>naive</c>, <c>drain</c> (the repair queue, until empty) or <c>host</c> (the whole
    /// standalone host at <see cref="HostUrl"/>, until <see cref="StopFile"/> appears).
    /// </summary>
    public required string Kind { get; init; }
    public required Dictionary<string, string?> Settings { get; init; }
    /// <summary>Port → what listens there, for sorting the run's HTTP requests.</summary>
    public required Dictionary<int, string> Ports { get; init; }
    public DateOnly? AuditFrom { get; init; }
    public DateOnly? AuditTo { get; init; }
    public int NaiveCount { get; init; }
    public DateTimeOffset NaiveFrom { get; init; }
    public DateTimeOffset NaiveTo { get; init; }
    public string? HostUrl { get; init; }
    /// <summary>Written by a <c>host</c> child once it has started.</summary>
    public string? ReadyFile { get; init; }
    /// <summary>A <c>host</c> child stops when this file appears.</summary>
    public string? StopFile { get; init; }
}

/// <summary>What a child measured.</summary>
internal sealed record ChildResult
{
    public required string Kind { get; init; }
    public double WallSeconds { get; init; }
    /// <summary>Resident memory once the host was built, before the run.</summary>
    public double RssBeforeMb { get; init; }
    /// <summary>VmHWM at the end: the process's peak resident memory, start-up included.</summary>
    public double PeakRssMb { get; init; }
    public double HeapBeforeMb { get; init; }
    public double PeakHeapAfterGcMb { get; init; }
    public double PeakHeapAllocatedMb { get; init; }
    public int Gen0 { get; init; }
    public int Gen1 { get; init; }
    public int Gen2 { get; init; }
    public JsonObject Outcome { get; init; } = new();
    public List<HttpKindSummary> Http { get; init; } = [];
    public string? Error { get; init; }

    public long Number(string name) => Outcome[name]?.GetValue<long>() ?? 0;
}

/// <summary>Starts the benchmark itself as a child process that runs one measured handler call and nothing else.</summary>
internal static class ChildRun
{
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<ChildResult> RunAsync(ChildSpec spec, string label)
    {
        var directory = Directory.CreateTempSubdirectory("dvcsync-bench-");
        var specPath = Path.Combine(directory.FullName, "spec.json");
        var resultPath = Path.Combine(directory.FullName, "result.json");
        await File.WriteAllTextAsync(specPath, JsonSerializer.Serialize(spec, Json));

        var self = Environment.ProcessPath ?? throw new InvalidOperationException("No process path");
        var start = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(ChildRun).Assembly.Location);
        foreach (var arg in new[] { "scale-child", specPath, resultPath }) start.ArgumentList.Add(arg);

        Console.WriteLine($"  ▶ {label}");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The child did not start");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.WriteLine("    │ " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.WriteLine("    │ " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        if (!File.Exists(resultPath)) throw new InvalidOperationException($"{label}: the child exited with {process.ExitCode} and no result");
        var result = JsonSerializer.Deserialize<ChildResult>(await File.ReadAllTextAsync(resultPath), Json)!;
        directory.Delete(recursive: true);
        if (result.Error is not null) throw new InvalidOperationException($"{label} failed: {result.Error}");
        return result;
    }
}
