using System.Globalization;
using DvcSync.Application.Audit;
using DvcSync.Application.Configuration;
using DvcSync.Application.Indicators;
using DvcSync.Core.Ports;

namespace DvcSync.Standalone;

/// <summary>
/// <c>DvcSync.Standalone audit --from YYYY-MM-DD --to YYYY-MM-DD [--agency MaDonVi]</c>: requests a full audit and runs
/// it in the foreground until it is finished, progress in the log. Run the same command again after a stop or a
/// crash and it resumes where it stopped. Configuration as for the host (appsettings, environment, the other arguments).
/// Exit codes: 0 finished, 1 failed or stopped, 2 bad arguments or configuration, 3 another audit is active.
/// </summary>
public static class AuditCommand
{
    public const string Name = "audit";

    private const string Usage = "Usage: DvcSync.Standalone audit --from YYYY-MM-DD --to YYYY-MM-DD [--agency MaDonVi] [configuration arguments]";

    public static async Task<int> RunAsync(string[] args)
    {
        string? from = null, to = null, agency = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : "";
            switch (args[i])
            {
                case "--from": from = Next(); break;
                case "--to": to = Next(); break;
                case "--agency": agency = Next(); break;
                case "--help" or "-h":
                    Console.WriteLine(Usage);
                    return 0;
                default: rest.Add(args[i]); break;
            }
        }
        var (period, problem) = PeriodQuery.Parse(from, to);
        if (period is null)
        {
            await Console.Error.WriteLineAsync(problem!.Replace("Query parameter", "Argument", StringComparison.Ordinal) + Environment.NewLine + Usage);
            return 2;
        }

        if (await StartupCheck.BuildAsync(() => StandaloneApp.Build([.. rest]), Console.Error) is not { } app) return StartupCheck.BadConfiguration;

        await using (app)
        {
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true; // stop after the pages in flight, so the next run resumes from there
                stop.Cancel();
            };
            var handler = app.Services.GetRequiredService<IAuditHandler>();
            // The storage may be new: the host's provisioner creates the tables and queues.
            await app.Services.GetRequiredService<DvcSync.Infrastructure.Storage.StorageProvisioner>().StartAsync(stop.Token);

            AuditJob job;
            try
            {
                job = await handler.RequestAsync(new AuditRequest(period.From, period.To, agency is { Length: > 0 } ? agency : null), stop.Token);
            }
            catch (AuditConflictException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 3;
            }
            catch (UnknownAgencyException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
            Console.WriteLine($"Audit {job.Id}: dossiers received {period.From:yyyy-MM-dd} to {period.To:yyyy-MM-dd}, {job.Status}, {job.Done} of about {job.Total} done");

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
}
