using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.Simulators;
using Xunit.Abstractions;

namespace DvcSync.IntegrationTests.Audit;

/// <summary><c>DvcSync.Standalone audit</c> as an operator runs it: to the end, again after a crash, and with bad arguments.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditCommandTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    [Fact]
    public async Task The_command_killed_part_way_is_run_again_and_resumes_to_the_end()
    {
        await using var simulators = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Seed = 601,
            DossierCount = 400,
            ScenarioNow = new DateTimeOffset(2025, 12, 31, 12, 0, 0, TimeSpan.FromHours(7)),
            PortalLatency = TimeSpan.FromMilliseconds(20),
        });
        var environment = StandaloneProcess.Environment(azurite, simulators, TestStorage.NewPrefix(), ceiling: 200);
        environment["Sync__PageSize"] = "20";
        environment["Sync__LookupConcurrency"] = "2";
        // A killed run's lease lapses quickly, so the rerun does not wait long for it.
        environment["Sync__AuditLeaseSeconds"] = "3";
        string[] command = ["audit", "--from", "2025-01-01", "--to", "2025-12-31"];
        var inPeriod = simulators.Truth.Entries.Count(e => e.HasValidNgayTiepNhan && e.ReceivedAt is { Year: 2025 } at
            && DvcSync.Core.Dossiers.VnTime.Day(at).Year == 2025);

        await using (var first = StandaloneProcess.StartCommand(environment, command))
        {
            await first.WaitUntilAsync(() => Task.FromResult(simulators.Portal.Counters.Calls("TraCuuHoSo") >= 100), "the audit to be under way");
            await first.KillAsync();
            Assert.Contains(first.Output(), line => line.Contains("requested", StringComparison.Ordinal));
        }
        var beforeCrash = simulators.Portal.Counters.Calls("TraCuuHoSo");

        await using var second = StandaloneProcess.StartCommand(environment, command);
        await second.WaitForExitAsync(TimeSpan.FromMinutes(3));
        var lines = second.Output();
        output.WriteLine(string.Join("\n", lines));
        Assert.Equal(0, second.ExitCode);
        Assert.Contains(lines, line => line.Contains("resuming", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains($"finished: {inPeriod} dossiers", StringComparison.Ordinal));
        var lookups = simulators.Portal.Counters.Calls("TraCuuHoSo");
        output.WriteLine($"{beforeCrash} look-ups before the kill, {lookups} in all for {inPeriod} dossiers");
        // Only what the killed run had in flight, unrecorded, is looked up again: at most its pages in the pipeline.
        Assert.InRange(lookups, inPeriod, inPeriod + 4 * 20);
    }

    [Theory]
    [InlineData("--from 2025-13-01 --to 2025-12-31", "from")]
    [InlineData("--from 2025-02-01 --to 2025-01-01", "to")]
    [InlineData("--to 2025-01-31", "from")]
    [InlineData("--from 0001-01-01 --to 0001-12-31", "from", "1970-01-01 to 2099-12-31")]
    [InlineData("--from 2099-12-01 --to 9999-12-31", "to", "1970-01-01 to 2099-12-31")]
    [InlineData("--from 079012345678 --to 2025-12-31", "from", "12 characters, shaped '999999999999'")]
    public async Task Bad_arguments_exit_2_with_a_message_naming_the_argument(string arguments, string named, string? says = null)
    {
        await using var process = StandaloneProcess.StartCommand(new Dictionary<string, string>(), ["audit", .. arguments.Split(' ')]);
        await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, process.ExitCode);
        var text = string.Join("\n", process.Output());
        Assert.Contains($"'{named}'", text);
        Assert.Contains("Usage: DvcSync.Standalone audit", text);
        if (says is not null) Assert.Contains(says, text);
        // A bad value is described, never repeated.
        Assert.DoesNotContain("079012345678", text);
    }

    [Fact]
    public async Task An_unknown_option_is_an_error_and_host_configuration_goes_after_the_separator()
    {
        var unknown = await RunAsync("audit --from=2025-01-01 --to=2025-01-31 --agnecy=000.00.19.H19");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("Unknown option '--agnecy'", unknown.Text);
        Assert.Contains("Usage: DvcSync.Standalone audit", unknown.Text);
        Assert.DoesNotContain("000.00.19.H19", unknown.Text);

        // A setting before the separator is refused, not taken as configuration in silence.
        var misplaced = await RunAsync("audit --from=2025-01-01 --to=2025-01-31 --Sync:PageSize=0");
        Assert.Equal(2, misplaced.ExitCode);
        Assert.Contains("Unknown option '--Sync'", misplaced.Text);
        Assert.DoesNotContain("Configuration error", misplaced.Text);

        // After it, the setting reaches the host: its check names the key.
        var configured = await RunAsync("audit --from=2025-01-01 --to=2025-01-31 -- --Sync:PageSize=0");
        Assert.Equal(2, configured.ExitCode);
        Assert.Contains("Configuration error: Sync:PageSize '0'", configured.Text);
    }

    [Fact]
    public async Task Help_names_every_option_and_the_configuration_separator_and_exits_0()
    {
        var help = await RunAsync("audit --help");
        Assert.Equal(0, help.ExitCode);
        foreach (var option in new[] { "--from <YYYY-MM-DD>", "--to <YYYY-MM-DD>", "--agency <MaDonVi>", "Host configuration goes after --" })
            Assert.Contains(option, help.Text);
    }

    private static async Task<(int ExitCode, string Text)> RunAsync(string arguments)
    {
        await using var process = StandaloneProcess.StartCommand(new Dictionary<string, string>(), arguments.Split(' '));
        await process.WaitForExitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, string.Join("\n", process.Output()));
    }
}
