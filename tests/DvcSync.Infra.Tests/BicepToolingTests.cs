using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DvcSync.Infra.Tests;

/// <summary>infra/ compiles, lints clean, and every way of passing parameters (azd, dev, prod) fits the template.</summary>
public sealed class BicepToolingTests
{
    public static TheoryData<string> BicepFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repository.Infra, "*.bicep*", SearchOption.AllDirectories)
                     .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".bicepparam", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repository.Root, file));
        return data;
    }

    public static TheoryData<string> ParameterFiles() => new() { "infra/env/dev.bicepparam", "infra/env/prod.bicepparam" };

    [Fact]
    public void Main_template_builds_without_a_warning()
    {
        var template = Bicep.Build("infra/main.bicep");
        Assert.Equal("subscription", DeploymentScope(template));
    }

    [Theory]
    [MemberData(nameof(BicepFiles))]
    public void Every_bicep_file_lints_clean(string file)
    {
        var run = Bicep.Run(["lint", file, "--diagnostics-format", "sarif"], environment: Bicep.EnvironmentForParameterFiles);
        Assert.True(run.ExitCode == 0, $"bicep lint {file} failed:\n{run.Output}");
        var sarif = JsonNode.Parse(run.StdOut)!;
        var results = sarif["runs"]!.AsArray().SelectMany(r => r!["results"]!.AsArray()).ToList();
        Assert.True(results.Count == 0,
            $"bicep lint {file}: {results.Count} diagnostics (warnings count as failures):\n"
            + string.Join('\n', results.Select(r => $"{r!["ruleId"]}: {r["message"]!["text"]}")));
    }

    [Fact]
    public void The_linter_reports_warnings_that_this_test_would_catch()
    {
        // Guards the guard: a file with an unused parameter must produce a SARIF result.
        var scratch = Directory.CreateTempSubdirectory("dvcsync-lint-");
        try
        {
            var file = Path.Combine(scratch.FullName, "bad.bicep");
            File.WriteAllText(file, "param unused string\n");
            var run = Bicep.Run(["lint", file, "--diagnostics-format", "sarif"]);
            var results = JsonNode.Parse(run.StdOut)!["runs"]!.AsArray().SelectMany(r => r!["results"]!.AsArray());
            Assert.Contains(results, r => (string?)r!["ruleId"] == "no-unused-params");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Environment_parameter_files_build_and_read_secrets_from_the_environment(string file)
    {
        var run = Bicep.Run(["build-params", file, "--stdout"], environment: Bicep.EnvironmentForParameterFiles);
        Assert.True(run.ExitCode == 0, $"bicep build-params {file} failed:\n{run.Output}");
        Assert.True(string.IsNullOrWhiteSpace(run.StdErr), $"bicep build-params {file} reported diagnostics:\n{run.StdErr}");

        var source = File.ReadAllText(Path.Combine(Repository.Root, file));
        foreach (var secret in new[] { "nationalPortalPassword", "provincialSystemClientSecret" })
            Assert.Matches(new Regex($@"^param {secret} = readEnvironmentVariable\('[A-Z_]+'\)\s*$", RegexOptions.Multiline), source);
    }

    [Theory]
    [MemberData(nameof(ParameterFiles))]
    public void Environment_parameter_files_name_a_missing_secret_instead_of_deploying_without_it(string file)
    {
        var environment = Bicep.EnvironmentForParameterFiles.Where(p => p.Key != "NATIONAL_PORTAL_PASSWORD").ToDictionary();
        var run = Bicep.Run(["build-params", file, "--stdout"], environment: environment);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("NATIONAL_PORTAL_PASSWORD", run.Output);
    }

    [Fact]
    public void Azd_parameters_map_every_required_parameter_and_nothing_else()
    {
        var template = Bicep.Build("infra/main.bicep");
        var declared = template["parameters"]!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!;
        var mapped = file["parameters"]!.AsObject();

        foreach (var (name, _) in mapped)
            Assert.True(declared.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not declare");
        foreach (var (name, definition) in declared)
        {
            if (definition!["defaultValue"] is null)
                Assert.True(mapped.ContainsKey(name), $"main.bicep requires '{name}' and main.parameters.json does not map it");
        }

        // Every value comes from the azd environment; a secret is never written in the file.
        foreach (var (name, value) in mapped)
            Assert.Matches(@"^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$", (string)value!["value"]!);
        foreach (var secret in new[] { "nationalPortalPassword", "provincialSystemClientSecret" })
            Assert.Equal("securestring", (string?)declared[secret]!["type"]);
        Assert.Equal("${AZURE_ENV_NAME}", (string?)mapped["environmentName"]!["value"]);
        Assert.Equal("${AZURE_LOCATION}", (string?)mapped["location"]!["value"]);
    }

    [Fact]
    public void Azure_yaml_deploys_the_functions_project_as_a_function_app()
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "azure.yaml"))
            .Where(l => !l.TrimStart().StartsWith('#') && l.Trim().Length > 0).ToList();
        var services = lines.FindIndex(l => l == "services:");
        Assert.True(services >= 0, "azure.yaml has no services: section");
        var service = lines.Skip(services + 1).TakeWhile(l => l.StartsWith(' ')).ToList();
        Assert.Equal("  functions:", service.FirstOrDefault());
        string Value(string key) => service.Select(l => l.Trim()).First(l => l.StartsWith(key + ":", StringComparison.Ordinal))[(key.Length + 1)..].Trim();

        Assert.Equal("dotnet", Value("language"));
        Assert.Equal("function", Value("host"));
        var project = Path.GetFullPath(Path.Combine(Repository.Root, Value("project")));
        Assert.Equal(Path.Combine(Repository.Root, "src", "DvcSync.Functions"), project.TrimEnd('/'));
        Assert.True(File.Exists(Path.Combine(project, "DvcSync.Functions.csproj")));
        Assert.Contains("  path: infra", lines);
    }

    private static string DeploymentScope(JsonObject template) =>
        ((string)template["$schema"]!).Contains("subscriptionDeploymentTemplate", StringComparison.Ordinal) ? "subscription" : "other";
}
