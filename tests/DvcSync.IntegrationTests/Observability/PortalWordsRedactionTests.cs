using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using DvcSync.Application.Repair;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ledger;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Storage;
using DvcSync.IntegrationTests.Infrastructure;
using DvcSync.IntegrationTests.Reliability;
using DvcSync.Simulators.NationalPortal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DvcSync.IntegrationTests.Observability;

/// <summary>
/// A portal whose refusals and failures quote the applicant (name in capitals without diacritics, ID numbers, phone,
/// e-mail): a whole run keeps the portal's codes and words, and no personal value of any seeded dossier in the ledger,
/// a queue message, a log line, <c>/api/health</c> or the unsynced list.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PortalWordsRedactionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_portals_words_are_kept_and_the_applicants_it_quotes_are_not()
    {
        var logs = new LogCapture();
        var queued = new ConcurrentQueue<string>();
        var simulators = ReliabilityScenario.Simulators(seed: 818, dossiers: 160);
        simulators.PortalQuoteApplicant = true;
        // Enough refused dossiers that some reach the portal: a final-state conflict ("5") is not caught beforehand.
        simulators.Scenario.RefusedFraction = 0.2;
        await using var env = await SyncEnvironment.StartAsync(azurite, simulators,
            ReliabilityScenario.Settings(new() { ["Logging:LogLevel:Default"] = "Debug" }),
            builder =>
            {
                builder.Logging.AddProvider(logs);
                var queue = builder.Services.Last(s => s.ServiceType == typeof(IRepairQueue));
                builder.Services.Remove(queue);
                builder.Services.AddSingleton<IRepairQueue>(sp => new RecordingQueue((IRepairQueue)queue.ImplementationFactory!(sp), queued));
            });
        // Some look-ups and writes fail with "99", quoting the applicant; refused dossiers are refused in words that quote them.
        env.Simulators.PortalFaults.Update(f => f with { SystemErrorRate = 0.3 });

        var answers = new List<string>();
        var sawRetryInPortalWords = false;
        var reconciling = env.ReconcileUntilFinishedAsync(TimeSpan.FromMinutes(3));
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (!sawRetryInPortalWords && DateTime.UtcNow < deadline)
        {
            // While repairs retry (or wait for one after a failed look-up), the unsynced list shows their last error: the
            // portal's code and words, without the applicant. Which of the two a loaded machine catches first varies.
            var page = await GetAsync(env, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&limit=500");
            answers.Add(page);
            sawRetryInPortalWords = JsonNode.Parse(page)!["items"]!.AsArray().Any(i =>
                (string?)i!["state"] is "retrying" or "pending" && ((string?)i["lastError"] ?? "").Contains("error_code 99: Lỗi hệ thống", StringComparison.Ordinal));
            await Task.Delay(100);
        }
        Assert.True(sawRetryInPortalWords, "no retrying dossier showed the portal's code and words in the unsynced list; it showed: " + string.Join(" | ",
            answers.SelectMany(a => JsonNode.Parse(a)!["items"]!.AsArray()).Select(i => $"{(string?)i!["state"]}: {(string?)i["lastError"]}").Distinct().Take(12)));
        await reconciling;
        env.Simulators.PortalFaults.Update(f => f with { SystemErrorRate = 0 });
        await env.WaitForRepairsAsync(TimeSpan.FromMinutes(3), sweepEvery: TimeSpan.FromSeconds(20));
        answers.Add(await GetAsync(env, "/api/dossiers/unsynced?from=2025-01-01&to=2025-12-31&limit=500"));
        answers.Add(await GetAsync(env, "/api/health"));

        var rejected = (await LedgerAudit.AllEntriesAsync(env.Storage, env.TablePrefix, env.Ledger)).Where(e => e.State == SyncState.Rejected).ToList();
        Assert.NotEmpty(rejected);
        // Refused by the portal itself, in its words, without the applicant it quoted.
        Assert.Contains(rejected, e => e.LastError!.Contains("đã kết thúc, không được cập nhật trạng thái", StringComparison.Ordinal)
                                       && e.LastError.Contains(PersonalDataRedactor.Mask, StringComparison.Ordinal));

        var personal = PersonalValues(env);
        Assert.True(personal.Count > 300, $"only {personal.Count} personal values seeded");
        var kept = new List<(string Where, string Text)>();
        kept.AddRange(logs.Lines().Select(l => ("log", l)));
        kept.AddRange(queued.Select(m => ("queue message", m)));
        kept.AddRange(answers.Select(a => ("API answer", a)));
        kept.AddRange(await StoredRowsAsync(env));
        Assert.Contains(kept, k => k.Where == "queue message");
        Assert.Contains(kept, k => k.Where == "log" && k.Text.Contains("error_code 99", StringComparison.Ordinal));
        var leaks = kept.SelectMany(k => personal.Where(p => k.Text.Contains(p, StringComparison.OrdinalIgnoreCase)).Select(p => $"'{p}' in a {k.Where}: {k.Text}")).Take(5).ToList();
        Assert.True(leaks.Count == 0, "personal data kept:\n" + string.Join("\n", leaks));
    }

    /// <summary>Every personal value of every seeded dossier, as the provincial system holds it and as the portal quotes it.</summary>
    private static HashSet<string> PersonalValues(SyncEnvironment env)
    {
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var code in env.Simulators.Provincial.Codes())
        {
            var dossier = env.Simulators.Provincial.GetDossier(code)!;
            foreach (var (_, value) in PortalMessages.ApplicantAsQuoted(dossier)) values.Add(value);
            foreach (var field in Dossier.PersonalDataFields)
                if (dossier[field] is { } node) Collect(node, values);
        }
        values.RemoveWhere(v => v.Length < 6);
        return values;
    }

    private static void Collect(JsonNode node, HashSet<string> into)
    {
        switch (node)
        {
            case JsonValue value:
                into.Add(value.ToString());
                break;
            case JsonArray array:
                foreach (var item in array) if (item is not null) Collect(item, into);
                break;
            case JsonObject obj:
                foreach (var (_, item) in obj) if (item is not null) Collect(item, into);
                break;
        }
    }

    /// <summary>Every row of every table the project writes, every property as text.</summary>
    private static async Task<List<(string Where, string Text)>> StoredRowsAsync(SyncEnvironment env)
    {
        var rows = new List<(string, string)>();
        foreach (var (table, where) in new[] { (StorageOptions.LedgerTableName, "ledger row"), (StorageOptions.StateTableName, "state row"), (StorageOptions.RollupTableName, "roll-up row") })
            await foreach (var row in env.Storage.Table(env.TablePrefix + table).QueryAsync<TableEntity>())
                rows.Add((where, string.Join("; ", row.Select(p => $"{p.Key}={p.Value}"))));
        var poison = env.Storage.Queue(env.QueueName + "-poison");
        if (await poison.ExistsAsync())
            foreach (var message in (await poison.PeekMessagesAsync(32)).Value) rows.Add(("poison message", message.Body.ToString()));
        return rows;
    }

    private static async Task<string> GetAsync(SyncEnvironment env, string pathAndQuery)
    {
        using var answer = await env.Http.SendAsync(env.Get(pathAndQuery));
        return await answer.Content.ReadAsStringAsync();
    }

    /// <summary>Keeps every repair message as the queue stores it.</summary>
    private sealed class RecordingQueue(IRepairQueue inner, ConcurrentQueue<string> messages) : IRepairQueue
    {
        public Task<string> EnqueueAsync(RepairRequest request, TimeSpan delay, CancellationToken cancellationToken)
        {
            messages.Enqueue(RepairMessageCodec.Encode(request));
            return inner.EnqueueAsync(request, delay, cancellationToken);
        }

        public Task<string> EnqueueBatchAsync(IReadOnlyList<RepairRequest> requests, TimeSpan delay, CancellationToken cancellationToken)
        {
            messages.Enqueue(RepairMessageCodec.Encode(requests));
            return inner.EnqueueBatchAsync(requests, delay, cancellationToken);
        }

        public Task<long> GetApproximateDepthAsync(CancellationToken cancellationToken) => inner.GetApproximateDepthAsync(cancellationToken);

        public Task<long> GetPoisonDepthAsync(CancellationToken cancellationToken) => inner.GetPoisonDepthAsync(cancellationToken);
    }
}
