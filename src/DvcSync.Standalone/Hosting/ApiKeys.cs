using System.Security.Cryptography;
using System.Text;
using DvcSync.Api;

namespace DvcSync.Standalone.Hosting;

public enum KeyLevel
{
    Read,
    Admin,
}

/// <summary>
/// The Functions host's key check, redone for the standalone host: <c>x-functions-key</c> or <c>?code=</c>, read
/// routes accept <c>Api:Keys</c> and <c>Api:AdminKeys</c>, write routes only the latter. No keys configured means
/// every keyed route answers 401 — never open by default.
/// </summary>
public sealed class ApiKeys
{
    // Only SHA-256 digests are kept: comparing fixed-size digests takes the same time whatever the presented value's
    // length, so timing tells nothing about a key's length either, and a memory dump holds no key.
    private readonly IReadOnlyList<byte[]> _readDigests;
    private readonly IReadOnlyList<byte[]> _adminDigests;

    public ApiKeys(IReadOnlyList<string> readKeys, IReadOnlyList<string> adminKeys)
    {
        _readDigests = readKeys.Select(Digest).ToList();
        _adminDigests = adminKeys.Select(Digest).ToList();
    }

    public static ApiKeys FromConfiguration(IConfiguration configuration) =>
        new(Read(configuration, "Api:Keys"), Read(configuration, "Api:AdminKeys"));

    public bool Accepts(string? presented, KeyLevel level)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        var candidates = level == KeyLevel.Admin ? _adminDigests : _readDigests.Concat(_adminDigests);
        var digest = Digest(presented);
        var accepted = false;
        // Compare against every key, so timing tells nothing about which matched.
        foreach (var key in candidates)
            accepted |= CryptographicOperations.FixedTimeEquals(digest, key);
        return accepted;
    }

    private static byte[] Digest(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>A list section (<c>Api:Keys:0</c>…) or one value separated by commas or semicolons.</summary>
    private static IReadOnlyList<string> Read(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection(key);
        var values = section.GetChildren().Select(c => c.Value).ToList();
        if (section.Value is { } single) values.AddRange(single.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries));
        var keys = values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToList();
        if (keys.Any(k => k.Length < 16))
            throw new InvalidOperationException($"{key} holds a key shorter than 16 characters; use long random keys");
        return keys;
    }
}

public static class ApiKeyEndpointExtensions
{
    public static RouteHandlerBuilder RequireApiKey(this RouteHandlerBuilder builder, KeyLevel level) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var keys = http.RequestServices.GetRequiredService<ApiKeys>();
            var presented = http.Request.Headers["x-functions-key"].FirstOrDefault() ?? http.Request.Query["code"].FirstOrDefault();
            if (keys.Accepts(presented, level)) return await next(context);
            return SyncApi.Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
                level == KeyLevel.Admin
                    ? "This route needs an admin key (Api:AdminKeys) in the x-functions-key header or the code query parameter"
                    : "This route needs a key (Api:Keys or Api:AdminKeys) in the x-functions-key header or the code query parameter");
        });
}
