using System.ComponentModel.DataAnnotations;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// The storage account, named as the Functions host names its own (<c>AzureWebJobsStorage</c>): a connection string
/// (Azurite, tests, a one-machine install), or an identity-based connection — <c>AzureWebJobsStorage__accountName</c>
/// alone, or the service URIs — reached with a managed identity (<c>__clientId</c> for a user-assigned one). The keys
/// are whole (no section), because the connection string is the value of the section that holds the others.
/// </summary>
public sealed class StorageAccountOptions : IValidatableObject
{
    public const string SectionName = "";

    public const string ConnectionKey = "AzureWebJobsStorage";

    [ConfigurationKeyName(ConnectionKey)]
    public string ConnectionString { get; set; } = "";

    /// <summary>The account whose <c>https://&lt;name&gt;.table.core.windows.net</c> and queue endpoint are used, as on Azure.</summary>
    [ConfigurationKeyName(ConnectionKey + ":accountName")]
    public string? AccountName { get; set; }

    /// <summary>Overrides the endpoint <see cref="AccountName"/> gives (another cloud, a private endpoint's name).</summary>
    [ConfigurationKeyName(ConnectionKey + ":tableServiceUri")]
    public string? TableServiceUri { get; set; }

    [ConfigurationKeyName(ConnectionKey + ":queueServiceUri")]
    public string? QueueServiceUri { get; set; }

    /// <summary>The client id of a user-assigned managed identity; without it the default Azure credential is used.</summary>
    [ConfigurationKeyName(ConnectionKey + ":clientId")]
    public string? ClientId { get; set; }

    /// <summary>Whether the account is reached with an identity rather than a connection string.</summary>
    public bool UsesIdentity => !string.IsNullOrEmpty(AccountName) || !string.IsNullOrEmpty(TableServiceUri) || !string.IsNullOrEmpty(QueueServiceUri);

    public Uri TableEndpoint => Endpoint(TableServiceUri, "table")!;

    public Uri QueueEndpoint => Endpoint(QueueServiceUri, "queue")!;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesIdentity)
        {
            if (ConnectionStringProblem() is { } problem) yield return new ValidationResult(problem);
            yield break;
        }
        if (!string.IsNullOrEmpty(AccountName) && !IsAccountName(AccountName))
            yield return new ValidationResult($"{ConnectionKey}__accountName '{AccountName}' is not a storage account name (3-24 lower-case letters and digits)");
        foreach (var (uri, service) in new[] { (TableServiceUri, "table"), (QueueServiceUri, "queue") })
        {
            if (Endpoint(uri, service) is null)
                yield return new ValidationResult(string.IsNullOrEmpty(uri)
                    ? $"{ConnectionKey}__{service}ServiceUri must be set to an absolute https URL when managed-identity storage is used without {ConnectionKey}__accountName"
                    : $"{ConnectionKey}__{service}ServiceUri must be an absolute https URL when managed-identity storage is used");
        }
    }

    /// <summary>The service's endpoint: the URI given, else the one <see cref="AccountName"/> gives; null when neither is usable.</summary>
    private Uri? Endpoint(string? uri, string service)
    {
        if (!string.IsNullOrEmpty(uri))
            return Uri.TryCreate(uri, UriKind.Absolute, out var given) && given.Scheme == Uri.UriSchemeHttps ? given : null;
        return !string.IsNullOrEmpty(AccountName) && IsAccountName(AccountName) ? new Uri($"https://{AccountName}.{service}.core.windows.net") : null;
    }

    private static bool IsAccountName(string name) => name.Length is >= 3 and <= 24 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c));

    private string? ConnectionStringProblem()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
            return $"{ConnectionKey} must be set: the storage account's connection string (UseDevelopmentStorage=true for Azurite), or {ConnectionKey}__accountName for a managed identity";
        try
        {
            _ = new TableServiceClient(ConnectionString);
            _ = new QueueServiceClient(ConnectionString);
            return null;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // The connection string holds the account key: say what is wrong with it, never what it is.
            return $"{ConnectionKey} is not a valid storage connection string";
        }
    }
}

[OptionsValidator]
internal sealed partial class StorageAccountOptionsValidator : IValidateOptions<StorageAccountOptions>;
