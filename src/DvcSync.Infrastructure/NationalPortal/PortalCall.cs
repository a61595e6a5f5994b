using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>One service call as this client sees it, before it becomes the port's result type.</summary>
/// <param name="Message">The portal's words (redacted) with the client's account; <paramref name="Summary"/> the account alone.</param>
internal sealed record PortalCall(PortalOutcomeKind Kind, PortalReply? Reply, string Message, string Summary, TimeSpan? RetryAfter, bool SessionExpired)
{
    public static readonly PortalCall Expired = new(PortalOutcomeKind.Transient, null, "session expired", "session expired", null, true);

    /// <summary>A failure in the client's own words (no answer, a status, an unreadable body): message and summary alike.</summary>
    public static PortalCall Transient(string message, TimeSpan? retryAfter = null) => new(PortalOutcomeKind.Transient, null, message, message, retryAfter, false);

    public static PortalCall FromSignIn(SignInFailure? failure)
    {
        var message = failure?.Message ?? "could not sign in to the portal";
        return new(failure?.Kind ?? PortalOutcomeKind.Transient, null, message, message, failure?.RetryAfter, false);
    }

    /// <summary>HTTP 400 / "1": what the portal said (redacted), and what an operator checks.</summary>
    public static PortalCall Malformed(string? words)
    {
        var summary = $"the portal could not parse the request (HTTP 400, error_code {PortalErrorCodes.MalformedRequest}): check "
                      + $"{NationalPortalOptions.SectionName}:DstCode and {NationalPortalOptions.SectionName}:MaDonVi, and that this client matches the portal adapter's version";
        var message = string.IsNullOrWhiteSpace(words) ? summary : $"{summary} (the portal said: {words})";
        return new(PortalOutcomeKind.ConfigurationError, null, message, summary, null, false);
    }
}
