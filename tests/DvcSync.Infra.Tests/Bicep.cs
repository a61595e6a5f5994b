using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;

namespace DvcSync.Infra.Tests;

/// <summary>Paths of the repository the tests read.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    /// <summary>The shared contract sits beside the repository (<c>../shared</c>), here and in CI.</summary>
    public static string SyncApiContract => Path.GetFullPath(Path.Combine(Root, "..", "shared", "contracts", "sync-api.md"));

    private static string FindRoot()
    {
        var built = typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        if (!string.IsNullOrEmpty(built) && File.Exists(Path.Combine(built, "azure.yaml")))
            return built;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "azure.yaml")) && Directory.Exists(Path.Combine(dir.FullName, "infra")))
                return dir.FullName;
        }
        throw new InvalidOperationException("repository root (the folder holding azure.yaml and infra/) not found above " + AppContext.BaseDirectory);
    }
}

public sealed record BicepRun(int ExitCode, string StdOut, string StdErr)
{
    public string Output => StdOut + StdErr;
}

/// <summary>The Bicep CLI of the Azure.Bicep.CommandLine.linux-x64 package, run as a process.</summary>
public static class Bicep
{
    private static readonly Lazy<string> Executable = new(Locate);

    /// <summary>Dummy values for every environment variable the .bicepparam files read. The secrets are marked so
    /// that a test can prove they never reach an app setting or a compiled file in clear.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentForParameterFiles = new Dictionary<string, string>
    {
        ["NATIONAL_PORTAL_BASE_URL"] = "https://portal.example.invalid",
        ["NATIONAL_PORTAL_USERNAME"] = "dvcsync",
        ["NATIONAL_PORTAL_PASSWORD"] = SecretPortalPassword,
        ["NATIONAL_PORTAL_DSTCODE"] = "H19",
        ["NATIONAL_PORTAL_MADONVI"] = "000.00.00.H19",
        ["PROVINCIAL_SYSTEM_BASE_URL"] = "https://motcua.example.invalid",
        ["PROVINCIAL_SYSTEM_CLIENT_ID"] = "dvcsync",
        ["PROVINCIAL_SYSTEM_CLIENT_SECRET"] = SecretProvincialClientSecret,
        ["ALERT_EMAIL"] = "ops@example.invalid",
        ["SYNC_HISTORY_FROM"] = "2025-01-01",
        ["SYNC_RATE_MAX_POINTS"] = "2",
    };

    public const string SecretPortalPassword = "PORTAL-PASSWORD-must-never-appear-7f3a";
    public const string SecretProvincialClientSecret = "PROVINCIAL-SECRET-must-never-appear-91c2";

    public static string Path => Executable.Value;

    public static BicepRun Run(IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory ?? Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // The parameter files read these; the test decides every value, whatever the machine has set.
        foreach (var name in EnvironmentForParameterFiles.Keys.Concat(["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_PRINCIPAL_ID"]))
            start.Environment.Remove(name);
        if (environment is not null)
            foreach (var (name, value) in environment) start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start: " + Path);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', start.ArgumentList)} did not finish in 4 minutes");
        }
        process.WaitForExit();
        return new BicepRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The compiled ARM template of <paramref name="bicepFile"/>; fails the test on any diagnostic.</summary>
    public static JsonObject Build(string bicepFile)
    {
        var run = Run(["build", bicepFile, "--stdout"]);
        Assert.True(run.ExitCode == 0, $"bicep build {bicepFile} failed:\n{run.StdErr}");
        Assert.True(string.IsNullOrWhiteSpace(run.StdErr), $"bicep build {bicepFile} reported diagnostics:\n{run.StdErr}");
        return JsonNode.Parse(run.StdOut)!.AsObject();
    }

    /// <summary>
    /// Evaluates the template with a parameter file as ARM would (resources, names, app settings, nested modules),
    /// without Azure: <c>bicep snapshot</c> in a scratch folder. Returns the exit code, the output and the snapshot.
    /// </summary>
    public static (BicepRun Run, JsonObject? Snapshot) Snapshot(string bicepParamText, IReadOnlyDictionary<string, string>? environment = null)
    {
        var scratch = Directory.CreateTempSubdirectory("dvcsync-infra-");
        try
        {
            var template = System.IO.Path.GetRelativePath(scratch.FullName, Repository.MainBicep).Replace('\\', '/');
            var paramFile = System.IO.Path.Combine(scratch.FullName, "test.bicepparam");
            File.WriteAllText(paramFile, $"using '{template}'\n\n{bicepParamText}\n");
            var run = Run(
                ["snapshot", paramFile, "--mode", "overwrite",
                 "--subscription-id", "00000000-0000-0000-0000-00000000aaaa",
                 "--tenant-id", "00000000-0000-0000-0000-00000000bbbb",
                 "--location", "southeastasia",
                 "--deployment-name", "dvcsync-test"],
                scratch.FullName, environment);
            var snapshotFile = System.IO.Path.Combine(scratch.FullName, "test.snapshot.json");
            var snapshot = run.ExitCode == 0 && File.Exists(snapshotFile)
                ? JsonNode.Parse(File.ReadAllText(snapshotFile))!.AsObject()
                : null;
            return (run, snapshot);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>A parameter file's text with its <c>using</c> line removed, to be snapshotted from a scratch folder.</summary>
    public static string ParameterFileBody(string bicepParamFile) =>
        string.Join('\n', File.ReadAllLines(bicepParamFile).Where(line => !line.TrimStart().StartsWith("using ", StringComparison.Ordinal)));

    private static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (!string.IsNullOrEmpty(overridden))
            return overridden;
        var package = typeof(Bicep).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPackageDirectory")?.Value;
        if (string.IsNullOrEmpty(package))
            throw new InvalidOperationException("the Azure.Bicep.CommandLine.linux-x64 package directory is unknown: restore the test project");
        var candidates = new[] { System.IO.Path.Combine(package, "tools", "bicep"), System.IO.Path.Combine(package, "tools", "bicep.exe") };
        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("bicep not found in the package", candidates[0]);
        return OperatingSystem.IsWindows() ? found : EnsureExecutable(found);
    }

    /// <summary>NuGet does not always keep the executable bit; set it, or run a copy that has it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string EnsureExecutable(string file)
    {
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(file);
        if ((mode & UnixFileMode.UserExecute) != 0)
            return file;
        try
        {
            File.SetUnixFileMode(file, mode | execute);
            return file;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            var copy = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dvcsync-bicep-" + Environment.UserName, "bicep");
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(copy)!);
            if (!File.Exists(copy) || new FileInfo(copy).Length != new FileInfo(file).Length)
                File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, File.GetUnixFileMode(copy) | UnixFileMode.UserRead | execute);
            return copy;
        }
    }
}
