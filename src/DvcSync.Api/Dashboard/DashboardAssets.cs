using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace DvcSync.Api.Dashboard;

/// <summary>
/// The dashboard page (<c>GET /api/dashboard</c>) and its files (<c>GET /api/dashboard/{file}</c>), for both hosts.
/// The files are embedded in this assembly, so the page is whatever version of the API it was built with. The page
/// holds no data: it asks the API for every figure with the key its user types in, so these routes are anonymous.
/// </summary>
public interface IDashboardAssets
{
    /// <param name="request">The request, for <c>If-None-Match</c>.</param>
    /// <param name="file">The route's catch-all: empty or <c>index.html</c> for the page, else a file name.</param>
    IResult Get(HttpRequest request, string? file);
}

public sealed class DashboardAssets : IDashboardAssets
{
    public const string ResourcePrefix = "dashboard/";
    public const string IndexFile = "index.html";

    /// <summary>
    /// Nothing but this app's own files and API: no inline script or style, no other origin, no framing. The key the
    /// user types in can only ever go back to this origin.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json; charset=utf-8",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> _assets;

    public DashboardAssets() : this(typeof(DashboardAssets).Assembly)
    {
    }

    internal DashboardAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var file = name[ResourcePrefix.Length..].Replace('\\', '/');
            if (!ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
            assets[file] = new Asset(bytes, contentType, etag);
        }
        if (!assets.ContainsKey(IndexFile))
            throw new InvalidOperationException($"The dashboard's {IndexFile} is not embedded in {assembly.GetName().Name}");
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public IResult Get(HttpRequest request, string? file)
    {
        var name = string.IsNullOrEmpty(file) || file == "/" ? IndexFile : file.TrimStart('/');
        // Only the embedded names exist: nothing here reads the file system, so no path can walk out of it.
        if (!_assets.TryGetValue(name, out var asset))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: "The dashboard has no file of that name; the page is at /api/dashboard");
        return new AssetResult(asset, request.Headers.IfNoneMatch.ToString());
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private sealed class AssetResult(Asset asset, string ifNoneMatch) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            var headers = response.Headers;
            headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            headers[HeaderNames.XContentTypeOptions] = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers[HeaderNames.XFrameOptions] = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Revalidated on every use (cheap: 304 by ETag), so a deployment never leaves an old script beside a new page.
            headers[HeaderNames.CacheControl] = "no-cache";
            headers[HeaderNames.ETag] = asset.ETag;

            if (ifNoneMatch.Split(',').Any(t => t.Trim() == asset.ETag || t.Trim() == "*"))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = asset.ContentType;
            response.ContentLength = asset.Bytes.Length;
            if (!HttpMethods.IsHead(httpContext.Request.Method))
                await response.Body.WriteAsync(asset.Bytes, httpContext.RequestAborted);
        }
    }
}
