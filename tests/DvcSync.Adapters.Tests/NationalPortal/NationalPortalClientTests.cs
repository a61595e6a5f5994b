using System.Diagnostics;
using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.NationalPortal;
using DvcSync.Simulators.Faults;
using DvcSync.Simulators.NationalPortal;
using DvcSync.Simulators.Seeding;

namespace DvcSync.Adapters.Tests.NationalPortal;

/// <summary>The national portal client against the portal simulator, over HTTP.</summary>
public sealed class NationalPortalClientTests
{
    private const string LookUp = PortalServices.LookUp;

    [Fact]
    public async Task Signs_in_once_and_reuses_the_session()
    {
        await using var h = await Harness.StartAsync();
        var codes = h.Sim.Portal.HeldCodes().Take(3).ToList();

        foreach (var code in codes)
        {
            var result = await h.Portal.LookUpAsync(code, CancellationToken.None);
            Assert.True(result.Succeeded, result.Message);
            Assert.Equal(code, result.Dossier!.Dossier.MaHoSo);
            Assert.NotNull(result.Dossier.NgayDongBo);
        }

        Assert.Equal(1, h.Sim.Portal.Counters.Calls("auth"));
        Assert.Equal(1, h.Stats.SignIns);
        Assert.Equal(3, h.Stats.Calls(LookUp, PortalOutcomeKind.Accepted));
        Assert.Equal(4, h.Stats.HttpRequests);
    }

    [Fact]
    public async Task Concurrent_first_callers_share_one_sign_in()
    {
        await using var h = await Harness.StartAsync();
        var codes = h.Sim.Portal.HeldCodes().Take(10).ToList();

        var results = await Task.WhenAll(codes.Select(c => h.Portal.LookUpAsync(c, CancellationToken.None)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
        Assert.Equal(1, h.Sim.Portal.Counters.Calls("auth"));
    }

    [Fact]
    public async Task An_expired_session_is_renewed_once_and_the_call_repeated()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Sim.Portal.HeldCodes()[0];
        Assert.True((await h.Portal.LookUpAsync(code, CancellationToken.None)).Succeeded);

        h.Sim.Portal.ExpireAllSessions();
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => h.Portal.LookUpAsync(code, CancellationToken.None)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Message));
        Assert.Equal(2, h.Sim.Portal.Counters.Calls("auth"));
        Assert.Equal(2, h.Stats.SignIns);
        Assert.True(h.Sim.Portal.Counters.Outcome(LookUp, "-2") >= 1);
    }

    [Fact]
    public async Task Refused_credentials_are_transient_name_the_keys_and_do_not_loop()
    {
        await using var h = await Harness.StartAsync(settings: s => s["NationalPortal:Password"] = "wrong-password-xyz");
        var code = h.Sim.Portal.HeldCodes()[0];

        var first = await h.Portal.LookUpAsync(code, CancellationToken.None);
        var second = await h.Portal.LookUpAsync(code, CancellationToken.None);
        var write = await h.Portal.AppendStepsAsync([new JsonObject { ["MaHoSo"] = code }], CancellationToken.None);

        Assert.Equal(PortalOutcomeKind.Transient, first.Kind);
        Assert.Contains("NationalPortal:Password", first.Message);
        Assert.DoesNotContain("wrong-password-xyz", first.Message);
        Assert.NotNull(first.RetryAfter);
        Assert.Equal(PortalOutcomeKind.Transient, second.Kind);
        Assert.Equal(PortalOutcomeKind.Transient, write.Kind);
        Assert.Equal(1, h.Sim.Portal.Counters.Calls("auth")); // one refusal, then the client waits for an operator
        Assert.Equal(1, h.Stats.FailedSignIns);
        Assert.Equal(0, h.Sim.Portal.Counters.Calls(LookUp));
    }

    [Fact]
    public async Task A_dossier_the_portal_does_not_hold_is_found_as_null()
    {
        await using var h = await Harness.StartAsync();
        var result = await h.Portal.LookUpAsync("000.00.19.H19-250101-99999", CancellationToken.None);
        Assert.True(result.Succeeded);
        Assert.Null(result.Dossier);
    }

    [Fact]
    public async Task A_look_up_answered_with_another_dossiers_copy_is_taken_as_not_held()
    {
        await using var h = await Harness.StartAsync();
        var held = h.Sim.Portal.HeldCodes().Take(2).ToList();
        h.Sim.Portal.Faults.Update(s => s with { LookUpAnswersFor = held[1] });

        var result = await h.Portal.LookUpAsync(held[0], CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Null(result.Dossier);
        var own = await h.Portal.LookUpAsync(held[1], CancellationToken.None);
        Assert.Equal(held[1], own.Dossier!.Dossier.MaHoSo);
    }

    [Theory]
    [InlineData("-3", "0")]
    [InlineData("3", "00")]
    public async Task Insert_update_and_the_already_exists_answer(string alreadyExistsCode, string successCode)
    {
        await using var h = await Harness.StartAsync(o =>
        {
            o.PortalAlreadyExistsCode = alreadyExistsCode;
            o.PortalSuccessCode = successCode;
        });
        var payload = MissingDossierPayload(h);
        var code = Dossier.ReadCode(payload, "MaHoSo")!;
        payload["TruongRiengCuaTinh"] = new JsonObject { ["a"] = new JsonArray(1, "x") }; // a field no contract names

        var inserted = await h.Portal.SyncDossiersAsync([payload], isUpdating: false, CancellationToken.None);
        Assert.Equal(PortalOutcomeKind.Accepted, inserted.Kind);
        Assert.True(h.Sim.PortalHolds(code));
        Assert.Equal("""{"a":[1,"x"]}""", h.Sim.Portal.Get(code)!["TruongRiengCuaTinh"]!.ToJsonString());

        var again = await h.Portal.SyncDossiersAsync([payload], isUpdating: false, CancellationToken.None);
        Assert.Equal(PortalOutcomeKind.AlreadyExists, again.Kind);
        var error = Assert.Single(again.Errors);
        Assert.Equal(code, error.MaHoSo);
        Assert.Equal(PortalOutcomeKind.AlreadyExists, error.Kind);

        var updated = await h.Portal.SyncDossiersAsync([payload], isUpdating: true, CancellationToken.None);
        Assert.Equal(PortalOutcomeKind.Accepted, updated.Kind);
    }

    [Fact]
    public async Task Update_of_a_dossier_the_portal_does_not_hold_is_not_found()
    {
        await using var h = await Harness.StartAsync();
        var payload = MissingDossierPayload(h);

        var result = await h.Portal.SyncDossiersAsync([payload], isUpdating: true, CancellationToken.None);

        Assert.Equal(PortalOutcomeKind.NotFound, result.Kind);
        Assert.Equal(PortalOutcomeKind.NotFound, Assert.Single(result.Errors).Kind);
        Assert.False(h.Sim.PortalHolds(Dossier.ReadCode(payload, "MaHoSo")!));
    }

    [Fact]
    public async Task A_refused_batch_names_every_offending_dossier_with_its_own_kind()
    {
        await using var h = await Harness.StartAsync();
        var good = MissingDossierPayload(h);
        var unknownProcedure = Payload(h, h.Sim.Truth.Of(RefusalKind.UnknownProcedure)[0].MaHoSo);
        var held = Payload(h, h.Sim.Truth.Of(DossierCategory.Current)[0].MaHoSo);

        var result = await h.Portal.SyncDossiersAsync([good, unknownProcedure, held], isUpdating: false, CancellationToken.None);

        Assert.Equal(PortalOutcomeKind.InvalidData, result.Kind); // the first offender's code
        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.MaHoSo == Dossier.ReadCode(unknownProcedure, "MaHoSo") && e.Kind == PortalOutcomeKind.InvalidData && e.Message.Contains("MaTTHC"));
        Assert.Contains(result.Errors, e => e.MaHoSo == Dossier.ReadCode(held, "MaHoSo") && e.Kind == PortalOutcomeKind.AlreadyExists);
        Assert.False(h.Sim.PortalHolds(Dossier.ReadCode(good, "MaHoSo")!)); // all or none
    }

    [Fact]
    public async Task A_refusal_or_failure_quoting_the_applicant_keeps_the_portals_words_without_the_personal_values_it_was_sent()
    {
        await using var h = await Harness.StartAsync(simulator: o => o.PortalQuoteApplicant = true);
        var refusedEntry = h.Sim.Truth.Of(RefusalKind.UnknownProcedure).First(e => Personal(Payload(h, e.MaHoSo)).Count >= 3);
        var refused = Payload(h, refusedEntry.MaHoSo);
        var failing = MissingDossierPayload(h);

        var refusal = await h.Portal.SyncDossiersAsync([refused], isUpdating: false, CancellationToken.None);
        h.Sim.PortalFaults.FailNext(1, FaultKind.SystemError);
        var failure = await h.Portal.SyncDossiersAsync([failing], isUpdating: false, CancellationToken.None);

        Assert.Equal(PortalOutcomeKind.InvalidData, refusal.Kind);
        var words = Assert.Single(refusal.Errors).Message;
        Assert.Contains("MaTTHC", words);
        Assert.Contains("không tồn tại", words);
        Assert.Contains(PersonalDataRedactor.Mask, words);
        Assert.Equal(PortalOutcomeKind.Transient, failure.Kind);
        Assert.Contains("error_code 99: Lỗi hệ thống", failure.Message);
        Assert.Contains(PersonalDataRedactor.Mask, failure.Message);
        Assert.DoesNotContain("Lỗi hệ thống", failure.Summary);
        foreach (var (payload, texts) in new[] { (refused, new[] { words, refusal.Message }), (failing, new[] { failure.Message }) })
            foreach (var value in Personal(payload))
                Assert.All(texts, text => Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The applicant's values as given, and as the simulator quotes them (the name without diacritics, the phone grouped).</summary>
    private static List<string> Personal(JsonObject payload) =>
        PortalMessages.ApplicantAsQuoted(payload).Select(p => p.Value)
            .Concat(Dossier.PersonalDataFields.Select(f => Dossier.ReadCode(payload, f)).OfType<string>())
            .Where(v => v.Length >= 6).Distinct().ToList();

    [Fact]
    public async Task A_request_the_portal_cannot_parse_is_a_configuration_error_naming_the_keys_and_is_not_retried()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Sim.Portal.HeldCodes()[0];
        h.Sim.PortalFaults.Update(f => f with { RefuseAsMalformed = true });

        // Refused at sign-in (a wrong dstcode is refused there too), then on every service once a session exists.
        var atSignIn = await h.Portal.LookUpAsync(code, CancellationToken.None);
        h.Sim.PortalFaults.Update(f => f with { RefuseAsMalformed = false });
        Assert.True((await h.Portal.LookUpAsync(code, CancellationToken.None)).Succeeded);
        h.Sim.PortalFaults.Update(f => f with { RefuseAsMalformed = true });
        var before = h.Stats.HttpRequests;
        var lookup = await h.Portal.LookUpAsync(code, CancellationToken.None);
        var write = await h.Portal.SyncDossiersAsync([MissingDossierPayload(h)], isUpdating: false, CancellationToken.None);
        var steps = await h.Portal.AppendStepsAsync([new JsonObject { ["MaHoSo"] = code }], CancellationToken.None);
        var procedure = await h.Portal.GetProcedureAsync("1.001234", CancellationToken.None);

        foreach (var (kind, message, summary) in new[] { (atSignIn.Kind, atSignIn.Message, atSignIn.Summary), (lookup.Kind, lookup.Message, lookup.Summary),
                     (write.Kind, write.Message, write.Summary), (steps.Kind, steps.Message, steps.Summary), (procedure.Kind, procedure.Message, procedure.Summary) })
        {
            Assert.Equal(PortalOutcomeKind.ConfigurationError, kind);
            Assert.Contains("NationalPortal:DstCode", message);
            Assert.Contains("NationalPortal:MaDonVi", message);
            Assert.Contains("HTTP 400", summary);
        }
        Assert.Contains("không đọc được dstcode", lookup.Message); // the portal's words are kept
        Assert.Equal(4, h.Stats.HttpRequests - before); // one request each: a refusal is not retried
        Assert.Equal(5, h.Stats.Calls(LookUp, PortalOutcomeKind.ConfigurationError) + h.Stats.Calls(PortalServices.SyncDossiers, PortalOutcomeKind.ConfigurationError)
                        + h.Stats.Calls(PortalServices.AppendSteps, PortalOutcomeKind.ConfigurationError) + h.Stats.Calls(PortalServices.GetProcedure, PortalOutcomeKind.ConfigurationError));
    }

    [Fact]
    public async Task Moving_a_final_dossier_back_is_a_final_state_conflict()
    {
        await using var h = await Harness.StartAsync();
        var entry = h.Sim.Truth.Of(RefusalKind.FinalOnPortal)[0];

        var result = await h.Portal.SyncDossiersAsync([Payload(h, entry.MaHoSo)], isUpdating: true, CancellationToken.None);

        Assert.Equal(PortalOutcomeKind.FinalStateConflict, result.Kind);
        Assert.Equal(new[] { entry.MaHoSo }, result.Errors.Select(e => e.MaHoSo));
    }

    [Fact]
    public async Task Steps_and_procedures()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Sim.Portal.HeldCodes()[0];
        var step = new JsonObject
        {
            ["MaHoSo"] = code, ["NguoiXuLy"] = "Cán bộ A", ["ChucDanh"] = "Chuyên viên", ["ThoiDiemXuLy"] = "20250115093000",
            ["PhongBanXuLy"] = "Một cửa", ["NoiDungXuLy"] = "Tiếp nhận", ["TrangThai"] = "2", ["NgayBatDau"] = "20250115093000",
            ["NgayKetThucTheoQuyDinh"] = "20250120170000",
        };

        Assert.Equal(PortalOutcomeKind.Accepted, (await h.Portal.AppendStepsAsync([step], CancellationToken.None)).Kind);
        Assert.Contains(h.Sim.Portal.StepsOf(code), s => Dossier.ReadCode(s, "NoiDungXuLy") == "Tiếp nhận");

        var orphan = step.DeepClone().AsObject();
        orphan["MaHoSo"] = "000.00.19.H19-250101-99999";
        Assert.Equal(PortalOutcomeKind.NotFound, (await h.Portal.AppendStepsAsync([orphan], CancellationToken.None)).Kind);

        var known = await h.Portal.GetProcedureAsync(h.Sim.Scenario.Catalogue.All[0].MaTTHC, CancellationToken.None);
        var unknown = await h.Portal.GetProcedureAsync("1.099999", CancellationToken.None);
        Assert.Equal((PortalOutcomeKind.Accepted, true), (known.Kind, known.Known));
        Assert.Equal((PortalOutcomeKind.Accepted, false), (unknown.Kind, unknown.Known));
    }

    [Fact]
    public async Task Server_errors_are_retried_and_those_that_persist_are_transient()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Sim.Portal.HeldCodes()[0];
        Assert.True((await h.Portal.LookUpAsync(code, CancellationToken.None)).Succeeded); // signed in

        h.Sim.PortalFaults.FailNext(2, FaultKind.ServerError);
        var recovered = await h.Portal.LookUpAsync(code, CancellationToken.None);
        Assert.True(recovered.Succeeded, recovered.Message);

        h.Sim.PortalFaults.FailNext(3, FaultKind.ServerError);
        var failed = await h.Portal.LookUpAsync(code, CancellationToken.None);
        Assert.Equal(PortalOutcomeKind.Transient, failed.Kind);
        Assert.Contains("503", failed.Message);

        h.Sim.PortalFaults.FailNext(1, FaultKind.SystemError);
        var systemError = await h.Portal.SyncDossiersAsync([Payload(h, code)], isUpdating: true, CancellationToken.None);
        Assert.Equal(PortalOutcomeKind.Transient, systemError.Kind);

        Assert.Equal(5, h.Sim.Portal.Counters.Outcome(LookUp, "http-503"));
        Assert.Equal(1, h.Stats.Calls(LookUp, PortalOutcomeKind.Transient));
        Assert.Equal(1, h.Stats.Calls(PortalServices.SyncDossiers, PortalOutcomeKind.Transient));
    }

    [Fact]
    public async Task Too_many_requests_pauses_every_caller_for_the_retry_after()
    {
        await using var h = await Harness.StartAsync();
        var code = h.Sim.Portal.HeldCodes()[0];
        Assert.True((await h.Portal.LookUpAsync(code, CancellationToken.None)).Succeeded);
        h.Sim.PortalFaults.Update(s => s with { RetryAfterSeconds = 1 });

        // Three 429s: the call and its two retries, each waiting the Retry-After.
        h.Sim.PortalFaults.FailNext(3, FaultKind.TooManyRequests);
        var clock = Stopwatch.StartNew();
        var throttled = await h.Portal.LookUpAsync(code, CancellationToken.None);
        var throttledTook = clock.Elapsed;

        Assert.Equal(PortalOutcomeKind.Transient, throttled.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), throttled.RetryAfter);
        Assert.True(throttledTook >= TimeSpan.FromSeconds(1.9), $"the retries did not wait for Retry-After ({throttledTook})");

        // Any call right after the last 429 waits for the rest of its Retry-After, though it never saw a 429 itself.
        clock.Restart();
        var next = await h.Portal.LookUpAsync(code, CancellationToken.None);
        Assert.True(next.Succeeded, next.Message);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.8), $"the next call was not held back ({clock.Elapsed})");
        Assert.Equal(3, h.Stats.Throttled);
    }

    [Fact]
    public async Task Time_outs_are_transient_and_the_caller_can_cancel()
    {
        await using var h = await Harness.StartAsync(settings: s => s["NationalPortal:TimeoutSeconds"] = "0.3");
        var code = h.Sim.Portal.HeldCodes()[0];
        Assert.True((await h.Portal.LookUpAsync(code, CancellationToken.None)).Succeeded);
        h.Sim.PortalFaults.Update(s => s with { HangRate = 1, HangDuration = TimeSpan.FromSeconds(20) });

        var timedOut = await h.Portal.LookUpAsync(code, CancellationToken.None);
        Assert.Equal(PortalOutcomeKind.Transient, timedOut.Kind);
        Assert.Contains("did not answer", timedOut.Message);
        Assert.Equal(2 + 3, h.Stats.HttpRequests); // sign-in, look-up, then one attempt and two retries

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Portal.LookUpAsync(code, cts.Token));
    }

    [Fact]
    public async Task Never_more_than_the_ceiling_in_any_second_retries_and_sign_in_included()
    {
        await using var h = await Harness.StartAsync(
            o => o.PortalRateLimitPerSecond = 20,
            s =>
            {
                s["NationalPortal:MaxRequestsPerSecond"] = "20";
                // The simulator counts in a sliding window exactly, by when its code first sees a request. It runs in this
                // process, on the thread pool the client uses, while the other test assemblies load both cores: a
                // request can reach its code 100 ms and more after another sent a second later, and the margin is
                // what the gate allows for that difference.
                s["NationalPortal:RateMarginMilliseconds"] = "250";
            });
        var codes = h.Sim.Portal.HeldCodes().Take(100).ToList();
        Assert.Equal(100, codes.Count);
        Assert.True((await h.Portal.LookUpAsync(codes[0], CancellationToken.None)).Succeeded); // sign-in and one look-up
        h.Sim.Portal.ResetStatistics();
        h.Sim.PortalFaults.FailNext(10, FaultKind.ServerError); // ten look-ups fail once and are retried: retries take slots too

        var results = await Task.WhenAll(codes.Select(c => h.Portal.LookUpAsync(c, CancellationToken.None)));

        Assert.All(results, r => Assert.True(r.Succeeded && r.Dossier is not null, r.Message));
        var histogram = h.Sim.Portal.Histogram;
        Assert.True(histogram.TotalReceived == 110, $"{histogram.TotalReceived} requests received: 429s {h.Sim.Portal.Counters.OutcomeTotal("http-429")}, " +
            $"503s {h.Sim.Portal.Counters.Outcome(LookUp, "http-503")}, sent {h.Stats.HttpRequests - 2}, per second " + string.Join(", ", histogram.Buckets().Select(b => b.Received)));
        Assert.True(histogram.PeakReceivedPerSecond <= 20, $"peak {histogram.PeakReceivedPerSecond}/s: " +
            string.Join(", ", histogram.Buckets().Select(b => b.Received)));
        // The simulator's own sliding one-second window would have answered 429 to a 21st request in any second.
        Assert.Equal(0, h.Sim.Portal.Counters.OutcomeTotal("http-429"));
        Assert.Equal(10, h.Sim.Portal.Counters.Outcome(LookUp, "http-503"));
        Assert.Equal(2 + 110, h.Stats.HttpRequests);
    }

    private static JsonObject MissingDossierPayload(Harness h)
    {
        var entry = h.Sim.Truth.Of(DossierCategory.MissingFromPortal).First(e => e.ExpectedPortalErrorCode == "0");
        return Payload(h, entry.MaHoSo);
    }

    private static JsonObject Payload(Harness h, string maHoSo) =>
        SourceDossier.FromJson(h.Sim.Provincial.GetDossier(maHoSo)!).ToPortalPayload();
}
