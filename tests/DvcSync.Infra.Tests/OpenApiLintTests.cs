using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DvcSync.Infra.Tests;

/// <summary>
/// The API's OpenAPI document passes Redocly's recommended rules, warnings included: the linter a consumer's tooling
/// would run on it. Redocly's CLI comes from package.json (<c>npm ci</c>, which the test script runs first).
/// The tests in IntegrationTests/Api hold the hosts' real answers against the same document.
/// </summary>
public sealed class OpenApiLintTests
{
    [Fact]
    public async Task The_openapi_document_passes_the_recommended_rules_without_a_warning()
    {
        var document = OpenApiDocument();
        var redocly = Path.Combine(Repository.Root, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), $"Redocly's CLI is not installed at {redocly}: run 'npm ci' in {Repository.Root} (the test script does)");

        var start = new ProcessStartInfo(redocly)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "lint", "--extends=recommended", "--format=json", Path.GetRelativePath(Repository.Root, document) })
            start.ArgumentList.Add(argument);
        // Its usage report would go to Redocly's servers; nothing here may call out.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_NOTIFICATIONS"] = "true";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redocly did not start: " + redocly);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("redocly lint did not finish in 2 minutes");
            }
        }

        var report = JsonNode.Parse(await stdout) ?? throw new InvalidOperationException("redocly lint printed no report:\n" + await stderr);
        var problems = report["problems"]!.AsArray().Select(p =>
            $"{p!["severity"]} {p["ruleId"]} at {p["location"]?[0]?["pointer"]}: {p["message"]}").ToList();
        Assert.True(problems.Count == 0 && process.ExitCode == 0,
            $"redocly lint --extends=recommended {document} (exit {process.ExitCode}): {problems.Count} problems (warnings count as failures):\n"
            + string.Join('\n', problems));
        // A .redocly.lint-ignore.yaml would pass problems over in silence.
        Assert.Equal(0, report["totals"]!["ignored"]!.GetValue<int>());
    }

    /// <summary>Found by name, not by path: the document may move between projects of src/.</summary>
    private static string OpenApiDocument()
    {
        var separator = Path.DirectorySeparatorChar;
        var found = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "openapi.json", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{separator}bin{separator}", StringComparison.Ordinal) && !f.Contains($"{separator}obj{separator}", StringComparison.Ordinal))
            .ToList();
        Assert.True(found.Count == 1, $"expected one openapi.json under src/, found {found.Count}: {string.Join(", ", found)}");
        return found[0];
    }
}
