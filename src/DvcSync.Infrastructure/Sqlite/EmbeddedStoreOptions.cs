using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace DvcSync.Infrastructure.Sqlite;

/// <summary>The standalone host's embedded store (<c>Storage:SqlitePath</c>), used when no storage account is set.</summary>
public sealed class EmbeddedStoreOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    public const string DefaultPath = "data/dvcsync.db";

    /// <summary>The database file; a relative path is taken from the program's folder, not the working directory.</summary>
    public string SqlitePath { get; set; } = DefaultPath;

    public string FullPath => Path.GetFullPath(SqlitePath, AppContext.BaseDirectory);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(SqlitePath) || SqlitePath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            yield return new ValidationResult($"{SectionName}:SqlitePath must be a file path");
        else if (Directory.Exists(FullPath))
            yield return new ValidationResult($"{SectionName}:SqlitePath names a folder ({FullPath}); name the database file in it, such as {Path.Combine(FullPath, "dvcsync.db")}");
    }
}

[OptionsValidator]
internal sealed partial class EmbeddedStoreOptionsValidator : IValidateOptions<EmbeddedStoreOptions>;
