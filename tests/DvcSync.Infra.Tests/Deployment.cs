using System.Text.Json.Nodes;

namespace DvcSync.Infra.Tests;

/// <summary>One evaluated deployment: the resources <c>bicep snapshot</c> predicts, with helpers to find them.</summary>
public sealed class Deployment(JsonObject snapshot)
{
    public JsonObject Snapshot { get; } = snapshot;

    public string Text { get; } = snapshot.ToJsonString();

    public IReadOnlyList<JsonObject> Resources { get; } =
        snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList();

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type)
    {
        var found = OfType(type).ToList();
        Assert.True(found.Count == 1, $"expected one {type}, found {found.Count}");
        return found[0];
    }

    public JsonObject FunctionApp => Single("Microsoft.Web/sites");

    public JsonObject Plan => Single("Microsoft.Web/serverfarms");

    public JsonObject StorageAccount => Single("Microsoft.Storage/storageAccounts");

    public JsonObject KeyVault => Single("Microsoft.KeyVault/vaults");

    public JsonObject ActionGroup => Single("Microsoft.Insights/actionGroups");

    public IReadOnlyList<JsonObject> AlertRules => OfType("Microsoft.Insights/scheduledQueryRules").ToList();

    /// <summary>The resource ID of the function app's (only) user-assigned identity.</summary>
    public string AppIdentityId
    {
        get
        {
            var identity = FunctionApp["identity"]!.AsObject();
            Assert.Equal("UserAssigned", (string?)identity["type"]);
            var ids = identity["userAssignedIdentities"]!.AsObject().Select(p => p.Key).ToList();
            Assert.Single(ids);
            return ids[0];
        }
    }

    public IReadOnlyDictionary<string, string> AppSettings
    {
        get
        {
            var settings = FunctionApp["properties"]!["siteConfig"]!["appSettings"]!.AsArray();
            var byName = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var setting in settings)
            {
                var name = (string)setting!["name"]!;
                Assert.False(byName.ContainsKey(name), $"app setting {name} is set twice");
                byName[name] = (string?)setting["value"] ?? "";
            }
            return byName;
        }
    }

    /// <summary>Role assignments: scope (the resource ID they hang under), role definition GUID, principal expression.</summary>
    public IReadOnlyList<(string Scope, string RoleId, string PrincipalId, string? PrincipalType)> RoleAssignments =>
        OfType("Microsoft.Authorization/roleAssignments").Select(r =>
        {
            var id = (string)r["id"]!;
            var scope = id[..id.IndexOf("/providers/Microsoft.Authorization/roleAssignments/", StringComparison.OrdinalIgnoreCase)];
            var roleDefinition = (string)r["properties"]!["roleDefinitionId"]!;
            return (scope, roleDefinition[(roleDefinition.LastIndexOf('/') + 1)..], (string)r["properties"]!["principalId"]!, (string?)r["properties"]!["principalType"]);
        }).ToList();

    /// <summary>True when <paramref name="expression"/> is the principal ID of the identity <paramref name="identityId"/>.</summary>
    public static bool IsPrincipalOf(string expression, string identityId) =>
        expression.StartsWith($"[reference('{identityId}'", StringComparison.OrdinalIgnoreCase)
        && expression.EndsWith(").principalId]", StringComparison.Ordinal);
}

/// <summary>
/// The deployments the tests look at, evaluated once: the template with only its required parameters (so that its
/// defaults are what is tested), and each environment's parameter file.
/// </summary>
public sealed class Deployments
{
    /// <summary>The required parameters of main.bicep and nothing else.</summary>
    public const string RequiredParameters = """
        param environmentName = 'dvcsync-test'
        param location = 'southeastasia'
        param nationalPortalBaseUrl = 'https://portal.example.invalid'
        param nationalPortalUsername = 'dvcsync'
        param nationalPortalPassword = readEnvironmentVariable('NATIONAL_PORTAL_PASSWORD')
        param nationalPortalDstCode = 'H19'
        param nationalPortalMaDonVi = '000.00.00.H19'
        param provincialSystemBaseUrl = 'https://motcua.example.invalid'
        param provincialSystemClientId = 'dvcsync'
        param provincialSystemClientSecret = readEnvironmentVariable('PROVINCIAL_SYSTEM_CLIENT_SECRET')
        param alertEmail = 'ops@example.invalid, duty@example.invalid'
        """;

    private readonly Lazy<Deployment> _defaults = new(() => Evaluate(RequiredParameters));
    private readonly Lazy<Deployment> _dev = new(() => Evaluate(Bicep.ParameterFileBody(Path.Combine(Repository.Infra, "env", "dev.bicepparam"))));
    private readonly Lazy<Deployment> _prod = new(() => Evaluate(Bicep.ParameterFileBody(Path.Combine(Repository.Infra, "env", "prod.bicepparam"))));

    public Deployment Defaults => _defaults.Value;

    public Deployment Dev => _dev.Value;

    public Deployment Prod => _prod.Value;

    public Deployment Get(string name) => name switch
    {
        "defaults" => Defaults,
        "dev" => Dev,
        "prod" => Prod,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static Deployment Evaluate(string parameters)
    {
        var (run, snapshot) = Bicep.Snapshot(parameters, Bicep.EnvironmentForParameterFiles);
        Assert.True(run.ExitCode == 0 && snapshot is not null, "bicep snapshot failed:\n" + run.Output);
        var diagnostics = snapshot!["diagnostics"]?.AsArray();
        Assert.True(diagnostics is null || diagnostics.Count == 0, "bicep snapshot reported diagnostics:\n" + diagnostics?.ToJsonString());
        return new Deployment(snapshot);
    }
}

[CollectionDefinition(Name)]
public sealed class DeploymentCollection : ICollectionFixture<Deployments>
{
    public const string Name = "deployments";
}
