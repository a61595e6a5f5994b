namespace DvcSync.Api;

/// <summary>
/// The OpenAPI 3.0 document of the API (<c>openapi.json</c> beside this file, embedded in the assembly), served as
/// it is by both hosts at <c>GET /api/openapi.json</c>. Hand-written from sync-api.md and what <see cref="SyncApi"/>
/// answers; the integration tests validate real answers against it, so it cannot drift from the code unnoticed.
/// </summary>
public static class OpenApiDocument
{
    public const string ResourceName = "api/openapi.json";
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly Lazy<byte[]> Bytes = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"{ResourceName} is not embedded in {typeof(OpenApiDocument).Assembly.GetName().Name}");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    });

    /// <summary>The document as UTF-8 JSON.</summary>
    public static ReadOnlyMemory<byte> Utf8Json => Bytes.Value;
}
