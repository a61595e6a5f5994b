using System.Diagnostics;
using System.Text.Json.Nodes;
using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Functions;

/// <summary>
/// What <c>func start</c> in src/DvcSync.Functions reads, without Core Tools (it cannot be installed here). Core Tools
/// looks for the app's root from the folder it is in, upwards, to the first folder holding host.json or
/// local.settings.json, and reads that folder's local.settings.json (to learn the worker runtime); for a .NET project it
/// then runs <c>dotnet build --output bin/output</c> and starts the host in bin/output, with that folder as the app's
/// root: host.json, functions.metadata, worker.config.json and local.settings.json are read from there.
/// </summary>
public class FuncStartLayoutTests
{
    private static readonly string Project = RepositoryRoot.Combine("src", "DvcSync.Functions");

    [Fact]
    public void From_the_project_folder_the_app_root_core_tools_finds_is_the_top_level_folder()
    {
        var root = new DirectoryInfo(Project);
        while (!File.Exists(Path.Combine(root.FullName, "host.json")) && !File.Exists(Path.Combine(root.FullName, "local.settings.json")))
            root = root.Parent ?? throw new InvalidOperationException($"no host.json or local.settings.json above {Project}");
        Assert.Equal(RepositoryRoot.Path, root.FullName);
        Assert.True(File.Exists(Path.Combine(root.FullName, "local.settings.sample.json")), "the sample is not beside host.json");
    }

    [Fact]
    public async Task The_build_func_start_runs_holds_host_json_the_metadata_the_worker_and_the_operators_local_settings()
    {
        // The operator's copy of the sample, as the README tells; one the operator already has is used as it is.
        var localSettings = RepositoryRoot.Combine("local.settings.json");
        var createdHere = !File.Exists(localSettings);
        if (createdHere) File.Copy(RepositoryRoot.Combine("local.settings.sample.json"), localSettings);
        var output = Directory.CreateTempSubdirectory("dvcsync-func-output-");
        try
        {
            await BuildAsync(output.FullName);

            Assert.Equal(File.ReadAllText(RepositoryRoot.Combine("host.json")), File.ReadAllText(Path.Combine(output.FullName, "host.json")));
            var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(output.FullName, "functions.metadata")))!.AsArray();
            Assert.Contains("Reconcile", metadata.Select(f => f!["name"]!.GetValue<string>()));
            var worker = JsonNode.Parse(File.ReadAllText(Path.Combine(output.FullName, "worker.config.json")))!["description"]!;
            Assert.Equal("dotnet-isolated", worker["language"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(output.FullName, worker["defaultWorkerPath"]!.GetValue<string>())), "the worker named in worker.config.json is not in the build");

            var copied = Path.Combine(output.FullName, "local.settings.json");
            Assert.True(File.Exists(copied), "local.settings.json is not copied into the build that func start runs");
            Assert.Equal(File.ReadAllText(localSettings), File.ReadAllText(copied));
            Assert.Equal("dotnet-isolated", JsonNode.Parse(File.ReadAllText(copied))!["Values"]!["FUNCTIONS_WORKER_RUNTIME"]!.GetValue<string>());
        }
        finally
        {
            if (createdHere) File.Delete(localSettings);
            output.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Core Tools' build, into a scratch folder instead of bin/output, in the configuration these tests were built in so
    /// that nothing is compiled again (Core Tools builds Debug; the copy rules are the same).
    /// </summary>
    private static async Task BuildAsync(string output)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No build server outlives the test.
        foreach (var argument in new[] { "build", "--output", output, "--configuration", configuration, "--disable-build-servers", "-nologo", "-v", "quiet" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet build of src/DvcSync.Functions did not finish in 8 minutes");
        }
        Assert.True(process.ExitCode == 0, $"dotnet build --output {output} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }
}
