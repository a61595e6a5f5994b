using System.Text.Json.Nodes;
using DvcSync.Core.Dossiers;
using DvcSync.Core.Ports;

namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// The only place that knows the portal's <c>error_code</c> strings (national-portal.md). Everything outside this
/// folder sees <see cref="PortalOutcomeKind"/>.
/// </summary>
internal static class PortalErrorCodes
{
    /// <summary>Wrong credentials at sign-in.</summary>
    public const string BadCredentials = "-1";

    /// <summary>The session is unknown or expired: sign in again once and repeat the call.</summary>
    public const string SessionExpired = "-2";

    /// <summary>A request the adapter could not parse (HTTP 400). A correct client never sends one.</summary>
    public const string MalformedRequest = "1";

    public static bool IsSuccess(string? code) => Normalise(code) is "0" or "00";

    public static bool IsSessionExpired(string? code) => Normalise(code) == SessionExpired;

    public static bool IsBadCredentials(string? code) => Normalise(code) == BadCredentials;

    /// <summary>The outcome a service's <c>error_code</c> stands for. Unknown codes, "99" and "-1" are transient; "1" (a request the adapter could not parse) is a configuration error.</summary>
    public static PortalOutcomeKind Map(string? code) => Normalise(code) switch
    {
        "0" or "00" => PortalOutcomeKind.Accepted,
        "-3" or "3" => PortalOutcomeKind.AlreadyExists,
        "-4" => PortalOutcomeKind.NotFound,
        "2" => PortalOutcomeKind.InvalidData,
        "5" => PortalOutcomeKind.FinalStateConflict,
        MalformedRequest => PortalOutcomeKind.ConfigurationError,
        _ => PortalOutcomeKind.Transient,
    };

    /// <summary>
    /// The per-dossier errors of a refused batch. An entry without its own code takes the reply's outcome (the
    /// portal's "2" answer lists offending dossiers without codes).
    /// </summary>
    public static IReadOnlyList<PortalItemError> MapItemErrors(JsonNode? errors, PortalOutcomeKind replyKind)
    {
        if (errors is not JsonArray array || array.Count == 0) return [];
        var result = new List<PortalItemError>(array.Count);
        foreach (var node in array)
        {
            if (node is not JsonObject item) continue;
            var maHoSo = Read(item, "MaHoSo") ?? "";
            var code = Read(item, "error_code");
            var kind = code is null ? replyKind : Map(code);
            result.Add(new PortalItemError(maHoSo, kind, Read(item, "message") ?? ""));
        }
        return result;
    }

    private static string? Read(JsonObject item, string name)
    {
        if (Dossier.ReadCode(item, name) is { } exact) return exact;
        foreach (var (key, _) in item)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return Dossier.ReadCode(item, key);
        return null;
    }

    private static string? Normalise(string? code) => code?.Trim();
}
