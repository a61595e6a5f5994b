using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.Storage;

/// <summary>
/// Names of the storage resources this project owns (<c>Sync:RepairQueue</c>, <c>Sync:TablePrefix</c>). The account
/// itself is <see cref="StorageAccountOptions"/>.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Sync";

    public const string LedgerTableName = "SyncLedger";
    public const string StateTableName = "SyncState";
    public const string RollupTableName = "SyncRollups";

    /// <summary>Also the queue the Functions trigger binds to (<c>%Sync:RepairQueue%</c>).</summary>
    public string RepairQueue { get; set; } = "dossier-repair";

    public string PoisonQueue => RepairQueue + "-poison";

    /// <summary>Prefix added to table names, so several test runs or environments can share one account.</summary>
    public string TablePrefix { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var queue = RepairQueue;
        if (queue.Length is < 3 or > 56 || !queue.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || queue.Contains("--") || queue[0] == '-' || queue[^1] == '-')
            yield return new ValidationResult($"{SectionName}:RepairQueue '{queue}' is not a valid queue name (3-56 lower-case letters, digits and single hyphens; '-poison' is appended for the poison queue)");
        var prefix = TablePrefix;
        if (prefix.Length > 0 && (!char.IsAsciiLetter(prefix[0]) || !prefix.All(char.IsAsciiLetterOrDigit) || prefix.Length > 40))
            yield return new ValidationResult($"{SectionName}:TablePrefix '{prefix}' must be letters and digits, starting with a letter");
    }
}

[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
