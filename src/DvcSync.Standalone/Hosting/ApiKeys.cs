using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using DvcSync.Api;
using DvcSync.Application.Configuration;
using Microsoft.Extensions.Options;

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
}

/// <summary>
/// <c>Api:Keys</c> and <c>Api:AdminKeys</c> (standalone host only): a list section (<c>Api:Keys:0</c>…) or one value
/// separated by commas or semicolons, each key at least <see cref="MinKeyLength"/> characters.
/// </summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    public const string SectionName = "Api";
    public const int MinKeyLength = 16;

    public string[] Keys { get; set; } = [];

    public string[] AdminKeys { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, keys) in new[] { (nameof(Keys), Keys), (nameof(AdminKeys), AdminKeys) })
            if (keys.Any(k => k.Length < MinKeyLength))
                yield return new ValidationResult($"{SectionName}:{name} holds a key shorter than {MinKeyLength} characters; use long random keys");
    }
}

[OptionsValidator]
internal sealed partial class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>;

public static class ApiKeyEndpointExtensions
{
    /// <summary>The standalone host's keys, from <see cref="ApiKeyOptions"/> (checked at start).</summary>
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<ApiKeyOptions, ApiKeyOptionsValidator>(configuration);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ApiKeyOptions>();
            return new ApiKeys(options.Keys, options.AdminKeys);
        });
        return services;
    }

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
