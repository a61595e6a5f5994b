using System.Diagnostics;

namespace DvcSync.Infra.Tests;

/// <summary>
/// The one-machine install kit (deploy/linux) as systemd and install.sh will read it: a unit systemd accepts, and the
/// places the unit, the script and the environment template name agree, so an install cannot start a program that
/// reads another file than the one the operator filled in.
/// </summary>
public sealed class LinuxInstallKitTests
{
    private static string Kit => Path.Combine(Repository.Root, "deploy", "linux");

    private static Dictionary<string, List<string>> UnitSettings() =>
        File.ReadAllLines(Path.Combine(Kit, "dvcsync.service"))
            .Where(line => line.Contains('=') && !line.StartsWith('#'))
            .GroupBy(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..])
            .ToDictionary(g => g.Key, g => g.ToList());

    [Fact]
    public void The_unit_restarts_on_failure_but_not_on_a_bad_setting_runs_as_its_own_user_and_writes_only_its_data_folder()
    {
        var unit = UnitSettings();
        Assert.Equal(["notify"], unit["Type"]); // UseSystemd() reports readiness
        Assert.Equal(["on-failure"], unit["Restart"]);
        Assert.Equal(["2"], unit["RestartPreventExitStatus"]); // exit 2 = a bad setting, named in the journal
        Assert.Equal(["dvcsync"], unit["User"]);
        Assert.Equal(["strict"], unit["ProtectSystem"]);
        Assert.Equal(["/var/lib/dvcsync"], unit["ReadWritePaths"]);
        Assert.Contains("Storage__SqlitePath=/var/lib/dvcsync/dvcsync.db", unit["Environment"]);

        var install = File.ReadAllText(Path.Combine(Kit, "install.sh"));
        Assert.Contains(unit["EnvironmentFile"].Single(), install);
        Assert.StartsWith("/opt/dvcsync/app/DvcSync.Standalone ", unit["ExecStart"].Single());
        Assert.Contains("/opt/dvcsync/app", install);
        Assert.Contains("useradd --system --gid dvcsync", install);
        Assert.Contains("-m 0640 \"$here/dvcsync.env.template\" /etc/dvcsync/dvcsync.env", install); // secrets: root and the service's group only
    }

    [Fact]
    public async Task Systemd_accepts_the_unit()
    {
        const string analyze = "/usr/bin/systemd-analyze";
        Assert.True(File.Exists(analyze), "systemd-analyze (Debian's systemd package) is needed to check the unit");
        // verify also checks that ExecStart names an executable: point it at one that exists on any machine.
        var directory = Directory.CreateTempSubdirectory("dvcsync-unit-");
        try
        {
            var unitFile = Path.Combine(directory.FullName, "dvcsync.service");
            File.WriteAllText(unitFile, File.ReadAllText(Path.Combine(Kit, "dvcsync.service"))
                .Replace("ExecStart=/opt/dvcsync/app/DvcSync.Standalone", "ExecStart=/bin/true", StringComparison.Ordinal));
            using var process = Process.Start(new ProcessStartInfo(analyze, ["verify", unitFile])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            // verify also reports on units the host itself lacks; only lines about ours count.
            var aboutOurs = (await output + errors).Split('\n').Where(l => l.Contains("dvcsync.service", StringComparison.Ordinal)).ToList();
            Assert.True(aboutOurs.Count == 0, "systemd-analyze verify: " + string.Join(" | ", aboutOurs));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
