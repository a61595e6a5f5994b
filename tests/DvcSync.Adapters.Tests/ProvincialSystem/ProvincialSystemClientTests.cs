using System.Diagnostics;
using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.ProvincialSystem;
using DvcSync.Simulators.Faults;

namespace DvcSync.Adapters.Tests.ProvincialSystem;

/// <summary>The provincial system client against the provincial simulator, over HTTP.</summary>
public sealed class ProvincialSystemClientTests
{
    private static readonly DateTimeOffset Beginning = new(2000, 1, 1, 0, 0, 0, VnTime.Offset);

    [Fact]
    public async Task Pages_through_every_changed_dossier()
    {
        await using var h = await Harness.StartAsync();
        var to = h.Sim.Clock.GetUtcNow().AddDays(1);
        var seen = new List<SourceDossier>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await h.Provincial.GetChangedAsync(Beginning, to, cursor, 37, CancellationToken.None);
            Assert.True(page.Items.Count <= 37);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 100);

        Assert.Null(cursor);
        Assert.Equal(h.Sim.Provincial.Codes().OrderBy(c => c, StringComparer.Ordinal), seen.Select(d => d.MaHoSo).OrderBy(c => c, StringComparer.Ordinal));
        Assert.Equal((h.Sim.Provincial.Count + 36) / 37, pages);
        Assert.All(seen, d => Assert.True(d.PhienBan >= 1 && d.NgayCapNhat is not null));
        // In (NgayCapNhat, MaHoSo) order, as the contract promises.
        Assert.Equal(seen.Select(d => d.NgayCapNhat).Order(), seen.Select(d => d.NgayCapNhat));
    }

    [Fact]
    public async Task A_page_over_the_size_cap_is_asked_for_again_with_half_the_limit_until_it_fits()
    {
        await using var h = await Harness.StartAsync(sim => sim.DossierCount = 12, settings => settings["ProvincialSystem:MaxPageBytes"] = "65536");
        // About 16 KB a dossier: four fit in the cap, eight do not.
        h.Sim.ProvincialFaults.Update(f => f with { ItemPaddingBytes = 15_000 });
        var to = h.Sim.Clock.GetUtcNow().AddDays(1);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await h.Provincial.GetChangedAsync(Beginning, to, cursor, 500, CancellationToken.None);
            Assert.InRange(page.Items.Count, 1, 3); // 500 → 250 → … → 7 → 3: the first size that fits
            seen.AddRange(page.Items.Select(d => d.MaHoSo));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 20);

        Assert.Null(cursor);
        Assert.Equal(h.Sim.Provincial.Codes().Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_single_dossier_over_the_size_cap_is_an_error_naming_the_setting()
    {
        await using var h = await Harness.StartAsync(sim => sim.DossierCount = 3, settings => settings["ProvincialSystem:MaxPageBytes"] = "65536");
        h.Sim.ProvincialFaults.Update(f => f with { ItemPaddingBytes = 70_000 });

        var error = await Assert.ThrowsAsync<ProvincialAnswerTooLargeException>(() =>
            h.Provincial.GetChangedAsync(Beginning, h.Sim.Clock.GetUtcNow().AddDays(1), null, 500, CancellationToken.None));
        Assert.Contains("ProvincialSystem:MaxPageBytes (65536 bytes)", error.Message);
        Assert.Contains("single dossier", error.Message);
    }

    [Fact]
    public async Task The_time_range_is_sent_with_its_offset_from_inclusive_to_exclusive()
    {
        await using var h = await Harness.StartAsync();
        var all = await h.Provincial.GetChangedAsync(Beginning, h.Sim.Clock.GetUtcNow().AddDays(1), null, 1000, CancellationToken.None);
        var middle = all.Items[all.Items.Count / 2].NgayCapNhat!.Value;

        var from = await h.Provincial.GetChangedAsync(middle, h.Sim.Clock.GetUtcNow().AddDays(1), null, 1000, CancellationToken.None);
        var before = await h.Provincial.GetChangedAsync(Beginning, middle, null, 1000, CancellationToken.None);

        Assert.All(from.Items, d => Assert.True(d.NgayCapNhat >= middle));
        Assert.All(before.Items, d => Assert.True(d.NgayCapNhat < middle));
        Assert.Equal(all.Items.Count, from.Items.Count + before.Items.Count);
        // An instant given in UTC means the same instant.
        var utc = await h.Provincial.GetChangedAsync(middle.ToUniversalTime(), h.Sim.Clock.GetUtcNow().AddDays(1), null, 1000, CancellationToken.None);
        Assert.Equal(from.Items.Count, utc.Items.Count);
    }

    [Fact]
    public async Task One_dossier_its_steps_and_unknown_ones()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Sim.Provincial.Codes().First(c => h.Sim.Provincial.StepsOf(c) is { Count: > 0 });

        var dossier = await h.Provincial.GetDossierAsync(code, CancellationToken.None);
        var steps = await h.Provincial.GetStepsAsync(code, CancellationToken.None);

        Assert.NotNull(dossier);
        Assert.Equal(code, dossier.MaHoSo);
        Assert.Equal(h.Sim.Provincial.Get(code)!.PhienBan, dossier.PhienBan);
        Assert.Equal(h.Sim.Provincial.StepsOf(code)!.Count, steps.Count);
        Assert.All(steps, s => Assert.Null(s.Parent)); // free to put into a portal request
        Assert.Null(await h.Provincial.GetDossierAsync("000.00.19.H19-250101-99999", CancellationToken.None));
        Assert.Empty(await h.Provincial.GetStepsAsync("000.00.19.H19-250101-99999", CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_dossier_arrives_with_its_defects_and_unknown_fields()
    {
        await using var h = await Harness.StartAsync();
        var agency = h.Sim.Provincial.Agencies.First(a => a.Cap == "SO").MaDonVi;
        var code = $"{agency}-250115-77777";
        h.Sim.Provincial.Add(new JsonObject
        {
            ["MaHoSo"] = code, ["MaDonVi"] = agency, ["MaTTHC"] = 1.001234, ["TrangThaiHoSo"] = "bốn",
            ["NgayTiepNhan"] = "2025-13-45", ["KenhThucHien"] = new JsonObject { ["x"] = 1 }, ["TruongLa"] = new JsonArray(1, 2),
        });

        var dossier = await h.Provincial.GetDossierAsync(code, CancellationToken.None);
        var page = await h.Provincial.GetChangedAsync(Beginning, h.Sim.Clock.GetUtcNow().AddDays(1), null, 1000, CancellationToken.None);

        Assert.NotNull(dossier);
        Assert.Null(dossier.Dossier.TrangThaiHoSo);
        Assert.Null(dossier.Dossier.NgayTiepNhan);
        Assert.Contains(dossier.Defects, d => d.Field == "NgayTiepNhan");
        Assert.Contains(dossier.Defects, d => d.Field == "TrangThaiHoSo");
        Assert.Contains(dossier.Defects, d => d.Field == "KenhThucHien");
        Assert.Equal("[1,2]", dossier.ToPortalPayload()["TruongLa"]!.ToJsonString());
        Assert.Contains(page.Items, d => d.MaHoSo == code && d.Defects.Count > 0);
    }

    [Fact]
    public async Task Agencies_and_received_counts()
    {
        await using var h = await Harness.StartAsync();

        var agencies = await h.Provincial.GetAgenciesAsync(CancellationToken.None);
        Assert.Equal(h.Sim.Provincial.Agencies.Count, agencies.Count);
        Assert.Single(agencies, a => a.Cap == "TINH" && a.MaDonViCha is null);
        Assert.Equal(agencies.Count - 1, agencies.Count(a => a.MaDonViCha is not null));

        var from = new DateOnly(2025, 1, 1);
        var to = VnTime.Day(h.Sim.Clock.GetUtcNow());
        var counts = await h.Provincial.GetReceivedCountsAsync(from, to, CancellationToken.None);
        var expected = h.Sim.Provincial.ReceivedCounts(from, to);
        Assert.Equal(expected.Count, counts.Count);
        Assert.Equal(expected.Sum(c => (long)c.SoHoSoTiepNhan), counts.Sum(c => c.SoHoSoTiepNhan));
        Assert.True(counts.Sum(c => c.SoHoSoTiepNhan) > 0);
        Assert.All(counts, c => Assert.InRange(c.Ngay, from, to));
    }

    [Fact]
    public async Task The_token_is_cached_shared_and_renewed_once_after_401()
    {
        await using var h = await Harness.StartAsync();
        var counters = h.Sim.Provincial.Counters;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => h.Provincial.GetAgenciesAsync(CancellationToken.None)));
        await h.Provincial.GetAgenciesAsync(CancellationToken.None);
        Assert.Equal(1, counters.Calls("token"));

        h.Sim.Provincial.RevokeAllTokens();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => h.Provincial.GetAgenciesAsync(CancellationToken.None)));

        Assert.Equal(2, counters.Calls("token"));
        Assert.InRange(counters.Outcome("donvi", "http-401"), 1, 4);
        Assert.Equal(13, counters.Outcome("donvi", "http-200"));
    }

    [Fact]
    public async Task A_token_is_renewed_before_it_expires()
    {
        await using var h = await Harness.StartAsync(o => o.ProvincialTokenLifetime = TimeSpan.FromSeconds(1));
        await h.Provincial.GetAgenciesAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the token's lifetime, not a synchronisation
        await h.Provincial.GetAgenciesAsync(CancellationToken.None);

        Assert.Equal(2, h.Sim.Provincial.Counters.Calls("token"));
        Assert.Equal(0, h.Sim.Provincial.Counters.Outcome("donvi", "http-401"));
    }

    [Fact]
    public async Task Refused_credentials_name_the_keys_and_never_the_secret()
    {
        await using var h = await Harness.StartAsync(settings: s => s["ProvincialSystem:ClientSecret"] = "not-the-secret-123");

        var error = await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => h.Provincial.GetAgenciesAsync(CancellationToken.None));

        Assert.Equal("ProvincialSystem", error.System);
        Assert.Contains("ProvincialSystem:ClientSecret", error.Reason);
        Assert.DoesNotContain("not-the-secret-123", error.ToString());
        Assert.Equal(0, h.Sim.Provincial.Counters.Calls("donvi"));
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_those_that_persist_throw_unavailable()
    {
        await using var h = await Harness.StartAsync(settings: s => s["ProvincialSystem:TimeoutSeconds"] = "0.5");
        await h.Provincial.GetAgenciesAsync(CancellationToken.None); // token taken

        h.Sim.ProvincialFaults.FailNext(2, FaultKind.ServerError);
        Assert.NotEmpty(await h.Provincial.GetAgenciesAsync(CancellationToken.None));

        h.Sim.ProvincialFaults.Update(s => s with { HangDuration = TimeSpan.FromSeconds(10) });
        h.Sim.ProvincialFaults.FailNext(1, FaultKind.Hang);
        Assert.NotEmpty(await h.Provincial.GetAgenciesAsync(CancellationToken.None));

        h.Sim.ProvincialFaults.Update(s => s with { RetryAfterSeconds = 1 });
        h.Sim.ProvincialFaults.FailNext(1, FaultKind.TooManyRequests);
        var clock = Stopwatch.StartNew();
        Assert.NotNull(await h.Provincial.GetDossierAsync(h.Sim.Provincial.Codes()[0], CancellationToken.None));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"Retry-After not honoured ({clock.Elapsed})");

        h.Sim.ProvincialFaults.StartOutage();
        var error = await Assert.ThrowsAsync<ExternalSystemUnavailableException>(
            () => h.Provincial.GetChangedAsync(Beginning, h.Sim.Clock.GetUtcNow(), null, 10, CancellationToken.None));
        Assert.Contains("503", error.Reason);
        Assert.Equal(4, h.Sim.Provincial.Counters.Outcome("hoso-list", "http-503")); // one attempt, three retries
    }

    [Fact]
    public async Task The_callers_cancellation_propagates()
    {
        await using var h = await Harness.StartAsync();
        await h.Provincial.GetAgenciesAsync(CancellationToken.None);
        h.Sim.ProvincialFaults.Update(s => s with { HangRate = 1, HangDuration = TimeSpan.FromSeconds(10) });

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Provincial.GetAgenciesAsync(cts.Token));
    }
}
