using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using DvcSync.Application.Telemetry;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;
using DvcSync.Infrastructure.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// <see cref="INationalPortal"/> over the portal's sync adapter. Every answer becomes a <see cref="PortalOutcomeKind"/>:
/// nothing is thrown for anything the portal or the network does — only the caller's own cancellation propagates.
/// Session handling: sign in lazily, share the session, and on "-2" sign in again once and repeat the call.
/// Retries of transport failures and the rate ceiling live in the HTTP pipeline below (see
/// <see cref="NationalPortalServiceCollectionExtensions"/>).
/// </summary>
public sealed class NationalPortalClient : INationalPortal
{
    private readonly INationalPortalApi _api;
    private readonly PortalSessionCache _sessions;
    private readonly NationalPortalOptions _options;
    private readonly SyncTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal NationalPortalClient(
        INationalPortalApi api,
        PortalSessionCache sessions,
        IOptions<NationalPortalOptions> options,
        SyncTelemetry telemetry,
        TimeProvider time,
        ILogger<NationalPortalClient> logger)
    {
        _api = api;
        _sessions = sessions;
        _options = options.Value;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
    }

    public async Task<PortalLookupResult> LookUpAsync(string maHoSo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(maHoSo);
        var started = Stopwatch.GetTimestamp();
        const string service = PortalServices.LookUp;
        var call = await CallAsync(service, session => Request(session, service) with { MaHoSo = maHoSo }, cancellationToken).ConfigureAwait(false);

        PortalLookupResult result;
        if (call.Kind == PortalOutcomeKind.Accepted)
            result = PortalLookupResult.Found(FindDossier(call.Reply?.Result, maHoSo));
        else if (call.Kind == PortalOutcomeKind.NotFound)
            result = PortalLookupResult.Found(null); // "does not hold it", however the portal chose to say so
        else
            result = new PortalLookupResult(call.Kind, null, call.Message, call.RetryAfter) { Summary = call.Summary };
        Record(service, started, result.Kind, result.Summary);
        return result;
    }

    public async Task<PortalWriteResult> SyncDossiersAsync(IReadOnlyList<JsonObject> dossiers, bool isUpdating, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dossiers);
        if (dossiers.Count is < 1 or > PortalServices.MaxDossiersPerBatch)
            throw new ArgumentOutOfRangeException(nameof(dossiers), dossiers.Count, $"{PortalServices.SyncDossiers} takes 1 to {PortalServices.MaxDossiersPerBatch} dossiers");
        var started = Stopwatch.GetTimestamp();
        const string service = PortalServices.SyncDossiers;
        var call = await CallAsync(
            service,
            session => Request(session, service) with { IsUpdating = isUpdating ? "True" : "False", Data = dossiers },
            cancellationToken).ConfigureAwait(false);
        var result = ToWriteResult(call, dossiers);
        Record(service, started, result.Kind, result.Summary);
        return result;
    }

    public async Task<PortalWriteResult> AppendStepsAsync(IReadOnlyList<JsonObject> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count is < 1 or > PortalServices.MaxStepsPerCall)
            throw new ArgumentOutOfRangeException(nameof(steps), steps.Count, $"{PortalServices.AppendSteps} takes 1 to {PortalServices.MaxStepsPerCall} steps");
        var started = Stopwatch.GetTimestamp();
        const string service = PortalServices.AppendSteps;
        var call = await CallAsync(service, session => Request(session, service) with { Data = steps }, cancellationToken).ConfigureAwait(false);
        var result = ToWriteResult(call, steps);
        Record(service, started, result.Kind, result.Summary);
        return result;
    }

    public async Task<ProcedureLookupResult> GetProcedureAsync(string maTthc, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(maTthc);
        var started = Stopwatch.GetTimestamp();
        const string service = PortalServices.GetProcedure;
        var call = await CallAsync(service, session => Request(session, service) with { MaTthc = maTthc }, cancellationToken).ConfigureAwait(false);
        var result = call.Kind == PortalOutcomeKind.Accepted
            ? new ProcedureLookupResult(PortalOutcomeKind.Accepted, call.Reply?.Result is JsonArray { Count: > 0 }, "")
            : new ProcedureLookupResult(call.Kind, null, call.Message) { Summary = call.Summary };
        Record(service, started, result.Kind, result.Summary);
        return result;
    }

    private PortalServiceRequest Request(string session, string service) =>
        new() { Session = session, MaDonVi = _options.MaDonVi, Service = service };

    /// <summary>One service call: a session (signing in if need be), the call, and on "-2" one renewal and one repeat.</summary>
    private async Task<PortalCall> CallAsync(string service, Func<string, PortalServiceRequest> build, CancellationToken cancellationToken)
    {
        var session = await _sessions.GetAsync(null, SignInAsync, cancellationToken).ConfigureAwait(false);
        if (session.Session is null) return PortalCall.FromSignIn(session.Failure);

        var call = await SendAsync(build(session.Session), cancellationToken).ConfigureAwait(false);
        if (!call.SessionExpired) return call;

        _telemetry.PortalSessionRenewals.Add(1);
        _logger.LogInformation("National portal session expired during {Service}; signing in again", service);
        session = await _sessions.GetAsync(session.Generation, SignInAsync, cancellationToken).ConfigureAwait(false);
        if (session.Session is null) return PortalCall.FromSignIn(session.Failure);

        call = await SendAsync(build(session.Session), cancellationToken).ConfigureAwait(false);
        return call.SessionExpired
            ? PortalCall.Transient("the portal refused a session it had just issued (-2); will try again later")
            : call;
    }

    private async Task<SignInAttempt> SignInAsync(CancellationToken cancellationToken)
    {
        var request = new PortalSignInRequest { Username = _options.Username, Password = _options.Password };
        IApiResponse<PortalReply> response;
        try
        {
            response = await _api.SignInAsync(_options.DstCode, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            return SignInFailed($"sign-in failed: {Describe(ex)}", credentialsRefused: false);
        }

        using (response)
        {
            var problem = TransportProblem(response, null, cancellationToken);
            if (problem is not null) return SignInFailed($"sign-in failed: {problem.Message}", credentialsRefused: false, problem.RetryAfter, problem.Kind);

            var reply = response.Content!;
            if (PortalErrorCodes.IsSuccess(reply.ErrorCode) && !string.IsNullOrWhiteSpace(reply.Session))
            {
                _telemetry.PortalSignIns.Add(1, new KeyValuePair<string, object?>("result", "succeeded"));
                _logger.LogInformation("Signed in to the national portal as {Username}", _options.Username);
                return SignInAttempt.Succeeded(reply.Session);
            }
            // No dossier is involved here: only personal-looking shapes can be removed from the portal's words.
            var words = PersonalDataRedactor.ShapesOnly.Redact(reply.Message);
            if (PortalErrorCodes.IsBadCredentials(reply.ErrorCode))
            {
                return SignInFailed(
                    $"the portal refused the credentials (-1: {words}): an operator must correct {NationalPortalOptions.SectionName}:Username and {NationalPortalOptions.SectionName}:Password",
                    credentialsRefused: true,
                    PortalSessionCache.CredentialCoolDown);
            }
            return SignInFailed(
                PortalErrorCodes.IsSuccess(reply.ErrorCode)
                    ? "sign-in answered without a session"
                    : $"sign-in failed (error_code {reply.ErrorCode ?? "missing"}: {words})",
                credentialsRefused: false);
        }
    }

    private SignInAttempt SignInFailed(string message, bool credentialsRefused, TimeSpan? retryAfter = null, PortalOutcomeKind kind = PortalOutcomeKind.Transient)
    {
        _telemetry.PortalSignIns.Add(1, new KeyValuePair<string, object?>("result", "failed"));
        if (credentialsRefused)
            _logger.LogError("National portal sign-in refused for {Username}: {Reason}", _options.Username, message);
        else
            _logger.LogWarning("National portal sign-in failed: {Reason}", message);
        return SignInAttempt.Failed(new SignInFailure(message, credentialsRefused, retryAfter, kind));
    }

    private async Task<PortalCall> SendAsync(PortalServiceRequest request, CancellationToken cancellationToken)
    {
        IApiResponse<PortalReply> response;
        try
        {
            response = await _api.CallAsync(_options.DstCode, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransportFailure(ex, cancellationToken))
        {
            return PortalCall.Transient(Describe(ex));
        }

        using (response)
        {
            if (TransportProblem(response, request.Data, cancellationToken) is { } problem) return problem;
            var reply = response.Content!;
            if (PortalErrorCodes.IsSessionExpired(reply.ErrorCode)) return PortalCall.Expired;
            var kind = reply.ErrorCode is null ? PortalOutcomeKind.Transient : PortalErrorCodes.Map(reply.ErrorCode);
            if (kind == PortalOutcomeKind.Accepted) return new PortalCall(kind, reply, "", "", null, false);
            if (reply.ErrorCode is null) return PortalCall.Transient("the portal answered without an error_code");

            var words = RedactorFor(request, reply).Redact(reply.Message);
            if (kind == PortalOutcomeKind.ConfigurationError) return PortalCall.Malformed(words);
            return kind == PortalOutcomeKind.Transient
                ? new PortalCall(kind, reply, $"the portal could not do it (error_code {reply.ErrorCode}: {words})", $"the portal could not do it (error_code {reply.ErrorCode})", null, false)
                : new PortalCall(kind, reply, words, $"refused (error_code {reply.ErrorCode})", null, false);
        }
    }

    /// <summary>
    /// The portal's words may quote the applicant of a dossier it was sent or holds: the personal values of the
    /// dossiers in the request and of the copies in the answer are removed from them, and personal-looking shapes.
    /// </summary>
    private static PersonalDataRedactor RedactorFor(PortalServiceRequest request, PortalReply? reply)
    {
        IEnumerable<JsonObject> copies = reply?.Result switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject single => [single],
            _ => [],
        };
        return PersonalDataRedactor.For((request.Data ?? []).Concat(copies));
    }

    /// <summary>
    /// Whatever keeps a response from being an answer of the portal: no response, a non-2xx status, an unreadable body.
    /// A 400 is the portal saying it could not parse the request: a configuration error, with its words (redacted
    /// with the personal values of <paramref name="sent"/>).
    /// </summary>
    private PortalCall? TransportProblem(IApiResponse<PortalReply> response, IReadOnlyList<JsonObject>? sent, CancellationToken cancellationToken)
    {
        if (response.HasRequestError(out var requestError))
        {
            var cause = requestError.InnerException ?? requestError;
            if (cause is OperationCanceledException && cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("The caller cancelled the portal call.", cause, cancellationToken);
            return PortalCall.Transient(Describe(cause));
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return PortalCall.Transient(
                "the portal is throttling this client (HTTP 429)",
                RetryAfter.From(response.Headers, _time) ?? PortalRateLimitingHandler.DefaultPause);
        }
        if (response.StatusCode == HttpStatusCode.BadRequest)
            return PortalCall.Malformed(PersonalDataRedactor.For(sent ?? []).Redact(WordsOf(response.Error)));
        if (!response.IsSuccessStatusCode)
            return PortalCall.Transient($"the portal answered HTTP {(int?)response.StatusCode}");
        if (response.Content is null)
            return PortalCall.Transient("the portal's answer could not be read as JSON");
        return null;
    }

    /// <summary>The <c>message</c> of an error answer's JSON body, if it has one.</summary>
    private static string? WordsOf(ApiExceptionBase? error)
    {
        if (error is not ApiException { Content: { Length: > 0 } content }) return null;
        try
        {
            return JsonNode.Parse(content) is JsonObject body && body["message"] is JsonValue message ? message.ToString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static bool IsTransportFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        OperationCanceledException or HttpRequestException or TimeoutRejectedException or BrokenCircuitException
            or IOException or ApiException or PortalRateLimitQueueFullException or System.Text.Json.JsonException => true,
        _ => false,
    };

    private string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => $"the portal did not answer within {_options.TimeoutSeconds:0.###} s",
        OperationCanceledException => "the portal did not answer in time",
        HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => $"the portal could not be reached ({http.HttpRequestError})",
        HttpRequestException => "the portal could not be reached",
        PortalRateLimitQueueFullException full => full.Message,
        System.Text.Json.JsonException => "the portal's answer could not be read as JSON",
        _ => $"the portal call failed ({ex.GetType().Name})",
    };

    /// <summary>
    /// The copy of <paramref name="maHoSo"/> in a look-up answer, or null when the answer holds none: a copy of another
    /// dossier says nothing about this one, and taking it would mark a dossier synced that the portal may not hold.
    /// </summary>
    private PortalDossier? FindDossier(JsonNode? result, string maHoSo)
    {
        var items = result switch
        {
            JsonArray array => array.OfType<JsonObject>().ToList(),
            JsonObject single => [single],
            _ => [],
        };
        if (items.Count == 0) return null;
        var match = items.FirstOrDefault(i => string.Equals(Dossier.ReadCode(i, "MaHoSo"), maHoSo, StringComparison.Ordinal));
        if (match is null)
            // The codes it did hold are left out: they name other citizens' dossiers, and the count says enough.
            _logger.LogWarning("National portal {Service} for {MaHoSo} answered with {Count} copies of other dossiers; taken as not held",
                PortalServices.LookUp, maHoSo, items.Count);
        return match is null ? null : PortalDossier.FromJson(match);
    }

    private static PortalWriteResult ToWriteResult(PortalCall call, IReadOnlyList<JsonObject> sent)
    {
        if (call.Kind == PortalOutcomeKind.Accepted) return PortalWriteResult.Success;
        if (call.Kind == PortalOutcomeKind.ConfigurationError) return new PortalWriteResult(call.Kind, call.Message, []) { Summary = call.Summary };
        if (call.Kind == PortalOutcomeKind.Transient) return new PortalWriteResult(PortalOutcomeKind.Transient, call.Message, [], call.RetryAfter) { Summary = call.Summary };

        var redactor = PersonalDataRedactor.For(sent);
        var errors = PortalErrorCodes.MapItemErrors(call.Reply?.Errors, call.Kind).Select(e => e with { Message = redactor.Redact(e.Message) }).ToList();
        if (errors.Count == 0)
        {
            // A refusal that names nobody: with one item sent, it is about that one.
            var codes = sent.Select(item => Dossier.ReadCode(item, "MaHoSo")).Distinct(StringComparer.Ordinal).ToList();
            if (codes is [{ } only]) errors = [new PortalItemError(only, call.Kind, call.Message)];
        }
        return new PortalWriteResult(call.Kind, call.Message, errors) { Summary = call.Summary };
    }

    /// <summary>A service call in the metrics (by service and outcome, and its duration, sign-in and retries included) and the log.</summary>
    /// <param name="summary">The client's own account of a failure: logs never carry the portal's words.</param>
    private void Record(string service, long started, PortalOutcomeKind kind, string summary)
    {
        _telemetry.PortalCalls.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("outcome", kind.ToString()));
        _telemetry.PortalCallDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("service", service));
        if (kind == PortalOutcomeKind.Transient)
            _logger.LogWarning("National portal {Service} failed transiently: {Reason}", service, summary);
        else
            _logger.LogDebug("National portal {Service}: {Outcome}", service, kind);
    }
}
