using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.RegularExpressions;
using DvcSync.Application.Audit;
using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;

namespace DvcSync.Standalone;

/// <summary>
/// <c>DvcSync.Standalone audit --from YYYY-MM-DD --to YYYY-MM-DD [--agency MaDonVi] [-- host configuration]</c>:
/// requests a full audit and runs it in the foreground until it is finished, progress in the log. Run the same command
/// again after a stop or a crash and it resumes where it stopped. Configuration as for the host: appsettings,
/// environment, and — after <c>--</c>, so that a mistyped option is an error rather than a setting — arguments such as
/// <c>--Sync:PageSize=200</c>. Exit codes: 0 finished, 1 failed or stopped, 2 bad arguments or configuration, 3 another
/// audit is active.
/// </summary>
public static partial class AuditCommand
{
    public const string Name = "audit";

    private const string Usage = "Usage: DvcSync.Standalone audit --from YYYY-MM-DD --to YYYY-MM-DD [--agency MaDonVi] [-- --Section:Key=value ...]";

    /// <param name="args">The program's arguments, <see cref="Name"/> first.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        // Everything after "--" is the host's configuration, handed on as it is; the parser never sees it.
        var separator = Array.IndexOf(args, "--");
        var (commandLine, configuration) = separator < 0 ? (args, Array.Empty<string>()) : (args[..separator], args[(separator + 1)..]);

        var from = new Option<string>("--from") { Description = "First day of the period, by the day a dossier was received (Vietnam time); required", HelpName = "YYYY-MM-DD" };
        var to = new Option<string>("--to") { Description = $"Last day of the period, inclusive, at most {PeriodQuery.MaxDays} days after --from; required", HelpName = "YYYY-MM-DD" };
        var agency = new Option<string>("--agency") { Description = "Only this agency and the agencies below it; the whole province when absent", HelpName = "MaDonVi" };
        var audit = new Command(Name,
            "Runs a full audit of the dossiers received in a period, in the foreground, to the end; run it again after a stop " +
            "or a crash and it resumes. Host configuration goes after --, as the host takes it (-- --Sync:PageSize=200). " +
            "Exit codes: 0 finished, 1 stopped or failed, 2 bad arguments or configuration, 3 another audit is active.")
        {
            from, to, agency,
        };
        // Reported below, by shape: an unknown token may be a value typed in the wrong place, such as an ID number.
        audit.TreatUnmatchedTokensAsErrors = false;
        var parsed = new RootCommand("DVC Sync, standalone host") { audit }.Parse(commandLine);
        if (parsed.Action is HelpAction) return await parsed.InvokeAsync();

        var problems = parsed.Errors.Select(e => e.Message).Concat(parsed.UnmatchedTokens.Select(Unknown)).ToList();
        PeriodQuery? period = null;
        if (problems.Count == 0)
        {
            (period, var problem) = PeriodQuery.Parse(parsed.GetValue(from), parsed.GetValue(to));
            if (period is null) problems.Add(problem!.Replace("Query parameter", "Argument", StringComparison.Ordinal));
        }
        if (problems.Count > 0)
        {
            foreach (var problem in problems) await Console.Error.WriteLineAsync(problem);
            await Console.Error.WriteLineAsync(Usage + Environment.NewLine + "More: DvcSync.Standalone audit --help");
            return StartupCheck.BadConfiguration;
        }

        return await RunAsync(new AuditRequest(period!.From, period.To, parsed.GetValue(agency) is { Length: > 0 } a ? a : null), configuration);
    }

    private static string Unknown(string token) => OptionName().Match(token) is { Success: true } option
        ? $"Unknown option '{option.Groups[1].Value}': the command takes --from, --to and --agency; host configuration goes after --"
        : $"Unexpected argument ({Dossier.Shape(token)}): the command takes --from, --to and --agency; host configuration goes after --";

    private static async Task<int> RunAsync(AuditRequest request, string[] configuration)
    {
        if (await StartupCheck.BuildAsync(() => StandaloneApp.Build(configuration), Console.Error) is not { } app) return StartupCheck.BadConfiguration;

        await using (app)
        {
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true; // stop after the pages in flight, so the next run resumes from there
                stop.Cancel();
            };
            app.Services.GetRequiredService<StoreDescription>().Log(app.Services);
            var handler = app.Services.GetRequiredService<IAuditHandler>();
            // A storage account may be new: the host's provisioner creates the tables and queues (the embedded store creates its own).
            if (app.Services.GetService<StorageProvisioner>() is { } provisioner) await provisioner.StartAsync(stop.Token);

            AuditJob job;
            try
            {
                job = await handler.RequestAsync(request, stop.Token);
            }
            catch (AuditConflictException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 3;
            }
            catch (UnknownAgencyException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return StartupCheck.BadConfiguration;
            }
            Console.WriteLine($"Audit {job.Id}: dossiers received {request.From:yyyy-MM-dd} to {request.To:yyyy-MM-dd}, {job.Status}, {job.Done} of about {job.Total} done");

            try
            {
                while (true)
                {
                    var ran = await handler.RunAsync(stop.Token);
                    if (ran is null || ran.Id != job.Id || !AuditStatus.IsActive(ran.Status))
                    {
                        Console.WriteLine(ran is null ? "The audit is gone." : $"Audit {ran.Id} {ran.Status}: {ran.Done} dossiers checked, {ran.PortalLookups} portal look-ups, {ran.Mismatches} missing or stale, {ran.RepairsQueued} repairs queued.");
                        return ran is { Status: AuditStatus.Finished } ? 0 : 1;
                    }
                    // Another process holds the audit's lease: watch it.
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Audit {ran.Id} is being run by another process: {ran.Done} of {ran.Total} done"));
                    await Task.Delay(TimeSpan.FromSeconds(10), stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                Console.WriteLine("Stopped; run the same command again to resume.");
                return 1;
            }
            catch (Exception e)
            {
                await Console.Error.WriteLineAsync($"The audit stopped: {e.GetType().Name}: {e.Message}. Run the same command again to resume.");
                return 1;
            }
        }
    }

    /// <summary>An option's name, without a value joined to it by '=' or ':'.</summary>
    [GeneratedRegex(@"^(--?[A-Za-z][A-Za-z0-9_.-]*)(?:[=:].*)?$")]
    private static partial Regex OptionName();
}
