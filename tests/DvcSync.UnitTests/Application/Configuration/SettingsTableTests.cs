using System.Text.RegularExpressions;
using DvcSync.Application.Configuration;
using DvcSync.Standalone;
using DvcSync.UnitTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DvcSync.UnitTests.Application.Configuration;

/// <summary>
/// The README's configuration table and the settings the hosts bind are the same keys: a setting nobody can find in
/// the table is a setting nobody sets on purpose, and a documented one nothing reads is a promise broken in silence.
/// </summary>
public sealed partial class SettingsTableTests
{
    [Fact]
    public void Every_key_a_host_binds_is_in_the_readme_table_and_every_key_there_is_bound()
    {
        var documented = DocumentedKeys(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        var bound = BoundKeys();
        Assert.Contains("NationalPortal:Password", documented); // the parser read the table
        Assert.Contains("AzureWebJobsStorage:accountName", documented);
        Assert.Contains("Sync:RepairQueue", bound); // the settings classes were found

        var undocumented = bound.Except(documented, StringComparer.OrdinalIgnoreCase).Order().ToList();
        var unread = documented.Except(bound, StringComparer.OrdinalIgnoreCase).Order().ToList();
        Assert.True(undocumented.Count == 0, "bound but not in the README's configuration table: " + string.Join(", ", undocumented));
        Assert.True(unread.Count == 0, "in the README's configuration table but bound by no settings class: " + string.Join(", ", unread));
    }

    [Fact]
    public void Every_key_of_the_install_kits_environment_file_is_a_documented_setting()
    {
        var documented = DocumentedKeys(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));
        var template = File.ReadAllLines(Path.Combine(RepositoryRoot(), "deploy", "linux", "dvcsync.env.template"))
            .Select(line => line.TrimStart('#', ' '))
            .Where(line => EnvironmentKey().IsMatch(line))
            .Select(line => line[..line.IndexOf('=')].Replace("__", ":", StringComparison.Ordinal))
            .ToList();
        Assert.Contains("NationalPortal:Password", template); // the file was read
        var unknown = template.Except(documented, StringComparer.OrdinalIgnoreCase).ToList();
        Assert.True(unknown.Count == 0, "dvcsync.env.template sets keys the README does not document (a typo the host would ignore): " + string.Join(", ", unknown));
    }

    /// <summary>
    /// The keys of every settings class the standalone host registers (it binds all the Functions host binds, and its
    /// own), as <see cref="SettingKey"/> reads them.
    /// </summary>
    private static List<string> BoundKeys()
    {
        IServiceCollection? services = null;
        using var app = StandaloneApp.Build(RealHostTests.ValidArgs(), builder => services = builder.Services);
        var settingsClasses = services!
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>)
                        && d.ImplementationInstance?.GetType() is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(SettingsBinding<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Distinct().ToList();
        Assert.True(settingsClasses.Count >= 8, "settings classes found: " + string.Join(", ", settingsClasses.Select(c => c.Name)));
        return settingsClasses.SelectMany(SettingKey.BoundProperties).Select(SettingKey.Of).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>
    /// Keys of the first column of the table under "## Configuration": <c>`Section:Key`</c>, <c>`:Key`</c> and
    /// <c>`__key`</c> continuing the previous one's section, <c>__</c> read as <c>:</c> (as environment variables write it).
    /// </summary>
    internal static List<string> DocumentedKeys(string readme)
    {
        var start = readme.IndexOf("\n## Configuration", StringComparison.Ordinal);
        var section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var keys = new List<string>();
        foreach (var line in section.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            string? prefix = null;
            foreach (Match token in Key().Matches(line.Split('|')[1]))
            {
                var key = token.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal);
                if (key.StartsWith(':') && prefix is not null) key = prefix + key;
                prefix = key.Contains(':') ? key[..key.LastIndexOf(':')] : key;
                keys.Add(key);
            }
        }
        return keys;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln"))) return directory.FullName;
        throw new InvalidOperationException("No Functions.sln above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.]*=")]
    private static partial Regex EnvironmentKey();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Key();
}
