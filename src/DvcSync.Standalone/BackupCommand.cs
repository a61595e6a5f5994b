using System.CommandLine;
using System.CommandLine.Help;
using DvcSync.Application.Configuration;
using DvcSync.Infrastructure.Sqlite;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.Standalone;

/// <summary>
/// <c>DvcSync.Standalone backup --to &lt;file&gt; [-- host configuration]</c>: copies the embedded store, while the host
/// runs, with SQLite's online backup: the copy is the whole database as of one moment, and opens as a store on its
/// own (restore = stop the host, put the copy in place of <c>Storage:SqlitePath</c>, start). Exit codes: 0 copied, 1
/// the copy failed, 2 bad arguments or configuration (a storage account is set: Azure Storage is backed up by Azure).
/// </summary>
public static class BackupCommand
{
    public const string Name = "backup";

    /// <param name="args">The program's arguments, <see cref="Name"/> first.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        var separator = Array.IndexOf(args, "--");
        var (commandLine, configuration) = separator < 0 ? (args, Array.Empty<string>()) : (args[..separator], args[(separator + 1)..]);

        var to = new Option<string>("--to") { Description = "The file to write the copy to; it must not exist yet", HelpName = "file", Required = true };
        var backup = new Command(Name,
            "Copies the embedded store (Storage:SqlitePath) to a file while the host runs, with SQLite's online backup. " +
            "Host configuration goes after --, as the host takes it. Exit codes: 0 copied, 1 the copy failed, 2 bad arguments or configuration.")
        {
            to,
        };
        var parsed = new RootCommand("DVC Sync, standalone host") { backup }.Parse(commandLine);
        if (parsed.Action is HelpAction) return await parsed.InvokeAsync();
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await Console.Error.WriteLineAsync(error.Message);
            await Console.Error.WriteLineAsync("Usage: DvcSync.Standalone backup --to <file> [-- --Storage:SqlitePath=<store>]");
            return StartupCheck.BadConfiguration;
        }

        var target = Path.GetFullPath(parsed.GetValue(to)!);
        if (File.Exists(target))
        {
            await Console.Error.WriteLineAsync($"{target} exists already: the backup does not overwrite a file");
            return StartupCheck.BadConfiguration;
        }

        // Only the store's settings are read (environment and the arguments after --, as the host reads them): a backup
        // needs neither the portal's nor the provincial system's, and must not fail for want of them.
        var settings = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(configuration).Build();
        if (StoreSelectionServiceCollectionExtensions.HasStorageAccount(settings))
        {
            await Console.Error.WriteLineAsync("AzureWebJobsStorage is set: the host keeps its data in Azure Storage, not in an embedded store to back up");
            return StartupCheck.BadConfiguration;
        }
        var source = new EmbeddedStoreOptions();
        settings.GetSection(EmbeddedStoreOptions.SectionName).Bind(source);
        if (!File.Exists(source.FullPath))
        {
            await Console.Error.WriteLineAsync($"There is no store at {source.FullPath} (Storage:SqlitePath) to back up");
            return StartupCheck.BadConfiguration;
        }

        try
        {
            using var store = new SqliteStore(source.FullPath);
            store.BackupTo(target);
            Console.WriteLine($"Copied {store.Path} to {target} ({new FileInfo(target).Length} bytes)");
            return 0;
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"The backup failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }
}
