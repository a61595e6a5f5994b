namespace DvcSync.Infrastructure;

/// <summary>The one rule for the base URL of an external system the project signs in to.</summary>
internal static class ExternalSystemUrl
{
    /// <summary>
    /// Null when <paramref name="value"/> is an absolute https URL without a query, or an http URL of this machine
    /// (localhost, 127.0.0.0/8, ::1: a simulator or a local tunnel); otherwise the start-up error naming
    /// <paramref name="key"/>. Plain http to anywhere else would carry the portal password and the client secret in clear.
    /// </summary>
    public static string? Problem(string key, string? value)
    {
        const string rule = "must be an absolute https URL without a query (http only to a loopback address: localhost, 127.0.0.0/8, ::1)";
        if (string.IsNullOrWhiteSpace(value)) return $"{key} is required and {rule}";
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || !string.IsNullOrEmpty(uri.Query)) return $"{key} {rule}";
        if (uri.Scheme == Uri.UriSchemeHttps) return null;
        if (uri.Scheme == Uri.UriSchemeHttp)
            return uri.IsLoopback ? null : $"{key} uses plain http to a remote host, which would send credentials in clear: {rule}";
        return $"{key} {rule}";
    }
}
