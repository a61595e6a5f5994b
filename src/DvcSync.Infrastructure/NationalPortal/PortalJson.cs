using DvcSync.Infrastructure.Json;
using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;
using Refit;

namespace DvcSync.Infrastructure.NationalPortal;

internal static class PortalJson
{
    /// <summary>
    /// Web defaults (case-insensitive reading), nulls left out of requests, Vietnamese text written as UTF-8 rather
    /// than \u escapes. Dossiers travel as <c>JsonObject</c>, so every field — known or not — is written as received.
    /// </summary>
    public static JsonSerializerOptions CreateOptions() => new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static RefitSettings CreateRefitSettings() => new(new SystemTextJsonContentSerializer(CreateOptions()))
    {
        // A Content-Length rather than a chunked body: the portal's adapter is old software behind old proxies.
        Buffered = true,
    };
}
