using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DvcSync.Infra.Tests;

/// <summary>What the evaluated deployment must hold: identity-only storage, roles, Key Vault references, Flex, alerts.</summary>
[Collection(DeploymentCollection.Name)]
public sealed class InfrastructureTests(Deployments deployments)
{
    // Built-in role definitions.
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    public static TheoryData<string> Environments() => new() { "defaults", "dev", "prod" };

    [Theory]
    [MemberData(nameof(Environments))]
    public void Storage_is_reached_by_managed_identity_only(string environment)
    {
        var storage = deployments.Get(environment).StorageAccount["properties"]!;
        Assert.False((bool)storage["allowSharedKeyAccess"]!);
        Assert.False((bool)storage["allowBlobPublicAccess"]!);
        Assert.Equal("TLS1_2", (string?)storage["minimumTlsVersion"]);
        Assert.True((bool)storage["supportsHttpsTrafficOnly"]!);

        var settings = deployments.Get(environment).AppSettings;
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain(settings.Values, v => v.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase));
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            var uri = settings[$"AzureWebJobsStorage__{service}ServiceUri"];
            Assert.Contains((string)deployments.Get(environment).StorageAccount["id"]!, uri);
            Assert.EndsWith($".primaryEndpoints.{service}]", uri);
        }
        Assert.Equal((string)deployments.Get(environment).StorageAccount["name"]!, settings["AzureWebJobsStorage__accountName"]);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_apps_identity_holds_the_three_storage_data_contributor_roles_and_reads_secrets(string environment)
    {
        var deployment = deployments.Get(environment);
        var identity = deployment.AppIdentityId;
        var mine = deployment.RoleAssignments.Where(r => Deployment.IsPrincipalOf(r.PrincipalId, identity)).ToList();
        Assert.All(mine, r => Assert.Equal("ServicePrincipal", r.PrincipalType));

        var storageId = (string)deployment.StorageAccount["id"]!;
        Assert.Equal(
            new[] { StorageBlobDataContributor, StorageQueueDataContributor, StorageTableDataContributor }.Order(),
            mine.Where(r => r.Scope.Equals(storageId, StringComparison.OrdinalIgnoreCase)).Select(r => r.RoleId).Order());

        var vaultId = (string)deployment.KeyVault["id"]!;
        Assert.Contains(mine, r => r.Scope.Equals(vaultId, StringComparison.OrdinalIgnoreCase) && r.RoleId == KeyVaultSecretsUser);

        // The app uses that identity for storage, for Key Vault references and for its deployment package.
        var settings = deployment.AppSettings;
        Assert.StartsWith($"[reference('{identity}'", settings["AzureWebJobsStorage__clientId"], StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith(").clientId]", settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(identity, (string?)deployment.FunctionApp["properties"]!["keyVaultReferenceIdentity"]);
        var package = deployment.FunctionApp["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("UserAssignedIdentity", (string?)package["authentication"]!["type"]);
        Assert.Equal(identity, (string?)package["authentication"]!["userAssignedIdentityResourceId"]);
        Assert.Contains(storageId, (string)package["value"]!);
    }

    [Fact]
    public void The_roles_exist_before_the_app_first_starts()
    {
        // A user-assigned identity is created, and its roles granted, before the app: the app depends on them.
        var template = Bicep.Build("infra/main.bicep");
        var module = template["resources"]!.AsObject().Select(p => p.Value!).Single(r => (string?)r["type"] == "Microsoft.Resources/deployments");
        var resources = module["properties"]!["template"]!["resources"]!.AsArray().Select(r => r!).ToList();
        var app = resources.Single(r => (string?)r["type"] == "Microsoft.Web/sites");
        var dependsOn = app["dependsOn"]!.AsArray().Select(d => (string)d!).ToList();
        Assert.Contains("storageRoles", dependsOn); // the copy loop of the three storage data roles
        Assert.Contains(dependsOn, d => d.Contains("'Microsoft.Authorization/roleAssignments'", StringComparison.Ordinal) && d.Contains(".keyVaultSecretsUser", StringComparison.Ordinal));
        Assert.Contains(dependsOn, d => d.Contains("'Microsoft.Authorization/roleAssignments'", StringComparison.Ordinal) && d.Contains(".monitoringMetricsPublisher", StringComparison.Ordinal));
        Assert.Contains(dependsOn, d => d.StartsWith("[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities'", StringComparison.Ordinal));
        var storageRoles = resources.Single(r => (string?)r["copy"]?["name"] == "storageRoles");
        Assert.Equal("Microsoft.Authorization/roleAssignments", (string?)storageRoles["type"]);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void The_function_app_runs_dotnet_isolated_10_on_flex_consumption(string environment)
    {
        var deployment = deployments.Get(environment);
        var sku = deployment.Plan["sku"]!;
        Assert.Equal("FC1", (string?)sku["name"]);
        Assert.Equal("FlexConsumption", (string?)sku["tier"]);
        Assert.True((bool)deployment.Plan["properties"]!["reserved"]!);

        var app = deployment.FunctionApp;
        Assert.Equal("functionapp,linux", (string?)app["kind"]);
        Assert.Equal((string)deployment.Plan["id"]!, (string?)app["properties"]!["serverFarmId"]);
        Assert.True((bool)app["properties"]!["httpsOnly"]!);
        var config = app["properties"]!["functionAppConfig"]!;
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal(1, (int)config["scaleAndConcurrency"]!["maximumInstanceCount"]!);
        Assert.Equal("functions", (string?)app["tags"]!["azd-service-name"]);

        // Settings that Flex Consumption rejects or ignores are not set.
        foreach (var deprecated in new[] { "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE" })
            Assert.DoesNotContain(deprecated, deployment.AppSettings.Keys);
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Secrets_are_key_vault_references_never_literal(string environment)
    {
        var deployment = deployments.Get(environment);
        var settings = deployment.AppSettings;
        var vaultId = (string)deployment.KeyVault["id"]!;
        var vault = deployment.KeyVault["properties"]!;
        Assert.True((bool)vault["enableRbacAuthorization"]!);

        foreach (var (setting, parameter) in new[] { ("NationalPortal__Password", "nationalPortalPassword"), ("ProvincialSystem__ClientSecret", "provincialSystemClientSecret") })
        {
            var match = Regex.Match(settings[setting], @"^\[format\('@Microsoft\.KeyVault\(SecretUri=\{0\}\)', reference\('(?<secret>[^']+)', '[^']+'\)\.secretUri\)\]$");
            Assert.True(match.Success, $"{setting} is not a Key Vault reference: {settings[setting]}");
            var secretId = match.Groups["secret"].Value;
            Assert.StartsWith(vaultId + "/secrets/", secretId, StringComparison.OrdinalIgnoreCase);
            var secret = deployment.OfType("Microsoft.KeyVault/vaults/secrets").Single(s => string.Equals((string?)s["id"], secretId, StringComparison.OrdinalIgnoreCase));
            Assert.Equal($"[parameters('{parameter}')]", (string?)secret["properties"]!["value"]);
        }

        // The values passed in never appear in clear: not in an app setting, not in the evaluated deployment.
        foreach (var secretValue in new[] { Bicep.SecretPortalPassword, Bicep.SecretProvincialClientSecret })
        {
            Assert.DoesNotContain(secretValue, deployment.Text);
            Assert.DoesNotContain(settings.Values, v => v.Contains(secretValue, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Secret_parameters_are_secure_all_the_way_down()
    {
        var template = Bicep.Build("infra/main.bicep");
        var text = template.ToJsonString();
        Assert.DoesNotContain(Bicep.SecretPortalPassword, text);
        var module = template["resources"]!.AsObject().Select(p => p.Value!).Single(r => (string?)r["type"] == "Microsoft.Resources/deployments");
        foreach (var secret in new[] { "nationalPortalPassword", "provincialSystemClientSecret" })
        {
            Assert.Equal("securestring", (string?)template["parameters"]![secret]!["type"]);
            Assert.Equal("securestring", (string?)module["properties"]!["template"]!["parameters"]![secret]!["type"]);
        }
        Assert.DoesNotContain(template["outputs"]!.AsObject(), o => ((string?)o.Value!["value"] ?? "").Contains("secret", StringComparison.OrdinalIgnoreCase)
                                                                   || ((string?)o.Value!["value"] ?? "").Contains("Password", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Telemetry_goes_to_application_insights_on_log_analytics(string environment)
    {
        var deployment = deployments.Get(environment);
        var insights = deployment.Single("Microsoft.Insights/components");
        var workspace = deployment.Single("Microsoft.OperationalInsights/workspaces");
        Assert.Equal((string)workspace["id"]!, (string?)insights["properties"]!["WorkspaceResourceId"]);
        var settings = deployment.AppSettings;
        Assert.Equal($"[reference('{insights["id"]}', '2020-02-02').ConnectionString]", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"]);

        // Local (key-only) ingestion is off: the host and the app's exporters authenticate with the app's identity, which
        // may publish.
        Assert.True((bool)insights["properties"]!["DisableLocalAuth"]!);
        Assert.Equal($"[format('ClientId={{0}};Authorization=AAD', reference('{deployment.AppIdentityId}', '2023-01-31').clientId)]",
            settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
        Assert.Contains(deployment.RoleAssignments, r => r.Scope == (string)insights["id"]! && r.RoleId == "3913510d-42f4-4e42-8a64-420c390055eb"
                                                          && Deployment.IsPrincipalOf(r.PrincipalId, deployment.AppIdentityId));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Storage_and_key_vault_deny_public_networks_by_default(string environment)
    {
        var deployment = deployments.Get(environment);
        foreach (var resource in new[] { deployment.StorageAccount, deployment.KeyVault })
        {
            var properties = resource["properties"]!;
            Assert.Equal("Disabled", (string?)properties["publicNetworkAccess"]);
            Assert.Equal("Deny", (string?)properties["networkAcls"]!["defaultAction"]);
            Assert.Equal("None", (string?)properties["networkAcls"]!["bypass"]);
            Assert.Empty(properties["networkAcls"]!["ipRules"]!.AsArray());
        }
    }

    [Fact]
    public void The_app_reaches_storage_and_key_vault_through_private_endpoints_of_its_own_network()
    {
        var deployment = deployments.Defaults;
        var subnetId = (string)deployment.FunctionApp["properties"]!["virtualNetworkSubnetId"]!;
        var vnet = deployment.Single("Microsoft.Network/virtualNetworks");
        var subnets = vnet["properties"]!["subnets"]!.AsArray().Select(s => s!).ToList();
        var appSubnet = subnets.Single(s => subnetId == $"{vnet["id"]}/subnets/{s["name"]}");
        Assert.Equal("Microsoft.App/environments", (string?)appSubnet["properties"]!["delegations"]![0]!["properties"]!["serviceName"]);

        var endpoints = deployment.OfType("Microsoft.Network/privateEndpoints").ToList();
        string Target(JsonObject endpoint) => (string)endpoint["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["privateLinkServiceId"]!;
        string Group(JsonObject endpoint) => (string)endpoint["properties"]!["privateLinkServiceConnections"]![0]!["properties"]!["groupIds"]![0]!;
        Assert.Equal(["blob", "queue", "table"],
            endpoints.Where(e => Target(e) == (string)deployment.StorageAccount["id"]!).Select(Group).Order());
        Assert.Equal(["vault"], endpoints.Where(e => Target(e) == (string)deployment.KeyVault["id"]!).Select(Group));
        Assert.All(endpoints, e => Assert.Equal($"{vnet["id"]}/subnets/private-endpoints", (string?)e["properties"]!["subnet"]!["id"]));

        // Each endpoint's address is published in the private DNS zone of its service (names in this cloud's suffixes,
        // which the evaluation leaves as expressions: privatelink.blob.core.windows.net … privatelink.vaultcore.azure.net),
        // linked to the app's network.
        var zones = deployment.OfType("Microsoft.Network/privateDnsZones").Select(z => (string)z["name"]!).ToList();
        var zoneOf = new Dictionary<string, string>
        {
            ["blob"] = "privatelink.blob.{0}', environment().suffixes.storage",
            ["queue"] = "privatelink.queue.{0}', environment().suffixes.storage",
            ["table"] = "privatelink.table.{0}', environment().suffixes.storage",
            ["vault"] = "privatelink{0}', replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')",
        };
        Assert.Equal(4, zones.Count);
        Assert.All(zoneOf.Values, name => Assert.Single(zones, z => z.Contains(name, StringComparison.Ordinal)));
        var groups = deployment.OfType("Microsoft.Network/privateEndpoints/privateDnsZoneGroups").ToList();
        Assert.Equal(4, groups.Count);
        foreach (var endpoint in endpoints)
        {
            var group = Assert.Single(groups, g => ((string)g["id"]!).StartsWith((string)endpoint["id"]! + "/privateDnsZoneGroups/", StringComparison.Ordinal));
            var zone = (string)group["properties"]!["privateDnsZoneConfigs"]![0]!["properties"]!["privateDnsZoneId"]!;
            Assert.Contains(zoneOf[Group(endpoint)], zone);
        }
        var links = deployment.OfType("Microsoft.Network/privateDnsZones/virtualNetworkLinks").ToList();
        Assert.Equal(4, links.Count);
        Assert.All(links, l => Assert.Equal((string)vnet["id"]!, (string?)l["properties"]!["virtualNetwork"]!["id"]));
    }

    [Fact]
    public void Listed_operator_addresses_are_the_only_public_networks_let_in()
    {
        var deployment = Deployments.Evaluate(Deployments.RequiredParameters + "\nparam allowedIpRanges = '203.0.113.7, 198.51.100.0/28'\n");
        foreach (var resource in new[] { deployment.StorageAccount, deployment.KeyVault })
        {
            var properties = resource["properties"]!;
            Assert.Equal("Enabled", (string?)properties["publicNetworkAccess"]);
            Assert.Equal("Deny", (string?)properties["networkAcls"]!["defaultAction"]);
            Assert.Equal(["203.0.113.7", "198.51.100.0/28"], properties["networkAcls"]!["ipRules"]!.AsArray().Select(r => (string)r!["value"]!));
        }
        Assert.All(deployment.StorageAccount["properties"]!["networkAcls"]!["ipRules"]!.AsArray(), r => Assert.Equal("Allow", (string?)r!["action"]));
    }

    [Theory]
    [MemberData(nameof(Environments))]
    public void Three_kinds_of_alert_reach_the_operators(string environment)
    {
        var deployment = deployments.Get(environment);
        var group = deployment.ActionGroup;
        var receivers = group["properties"]!["emailReceivers"]!.AsArray();
        Assert.NotEmpty(receivers);
        Assert.All(receivers, r => Assert.Contains('@', (string)r!["emailAddress"]!));
        var insightsId = (string)deployment.Single("Microsoft.Insights/components")["id"]!;

        var rules = deployment.AlertRules;
        Assert.All(rules, rule =>
        {
            var p = rule["properties"]!;
            Assert.True((bool)p["enabled"]!);
            Assert.Equal(insightsId, (string?)p["scopes"]![0]);
            Assert.Equal((string)group["id"]!, (string?)p["actions"]!["actionGroups"]![0]);
        });

        string Query(JsonObject rule) => (string)rule["properties"]!["criteria"]!["allOf"]![0]!["query"]!;
        // 1. the sync rate under the threshold
        Assert.Single(rules, r => Query(r).Contains("\"dvcsync.sync_rate\"", StringComparison.Ordinal));
        // 2. abandoned dossiers and poison messages
        Assert.Single(rules, r => Query(r).Contains("\"dvcsync.repairs\"", StringComparison.Ordinal) && Query(r).Contains("\"outcome\"", StringComparison.Ordinal) && Query(r).Contains("\"abandoned\"", StringComparison.Ordinal));
        Assert.Single(rules, r => Query(r).Contains("\"dvcsync.poison_messages\"", StringComparison.Ordinal) && Query(r).Contains("dossier-repair-poison", StringComparison.Ordinal));
        // 3. no reconciliation finished for three periods (or an hour): fires on absence
        var stalled = Assert.Single(rules, r => Query(r).Contains("\"dvcsync.reconcile.runs\"", StringComparison.Ordinal));
        Assert.Contains("\"finished\"", Query(stalled));
        Assert.Contains("\"sliced\"", Query(stalled)); // a long first run that moves the watermark is alive, as /api/health says
        var criterion = stalled["properties"]!["criteria"]!["allOf"]![0]!;
        Assert.Equal("LessThan", (string?)criterion["operator"]);
        Assert.Equal(1, (double)criterion["threshold"]!);
        Assert.Equal("PT60M", (string?)stalled["properties"]!["windowSize"]);
    }

    [Fact]
    public void The_sync_rate_alert_uses_the_configured_threshold()
    {
        var rule = deployments.Defaults.AlertRules.Single(r => ((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Contains("dvcsync.sync_rate", StringComparison.Ordinal));
        Assert.Contains("value * 100 < 95", (string)rule["properties"]!["criteria"]!["allOf"]![0]!["query"]!);
        var dev = deployments.Dev.AlertRules.Single(r => ((string)r["properties"]!["criteria"]!["allOf"]![0]!["query"]!).Contains("dvcsync.sync_rate", StringComparison.Ordinal));
        Assert.Contains("value * 100 < 90", (string)dev["properties"]!["criteria"]!["allOf"]![0]!["query"]!);
    }

    [Fact]
    public void Several_alert_addresses_become_several_receivers()
    {
        var receivers = deployments.Defaults.ActionGroup["properties"]!["emailReceivers"]!.AsArray().Select(r => (string)r!["emailAddress"]!);
        Assert.Equal(["ops@example.invalid", "duty@example.invalid"], receivers);
    }

    [Fact]
    public void Environments_differ_where_they_should()
    {
        Assert.Null(deployments.Dev.KeyVault["properties"]!["enablePurgeProtection"]);
        Assert.True((bool)deployments.Prod.KeyVault["properties"]!["enablePurgeProtection"]!);
        Assert.Equal("Standard_ZRS", (string?)deployments.Prod.StorageAccount["sku"]!["name"]);
        Assert.NotEqual((string)deployments.Dev.FunctionApp["name"]!, (string)deployments.Prod.FunctionApp["name"]!);
    }
}
