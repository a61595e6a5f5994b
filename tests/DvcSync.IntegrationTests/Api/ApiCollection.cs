using DvcSync.IntegrationTests.EndToEnd;

namespace DvcSync.IntegrationTests.Api;

/// <summary>
/// One reconciled and repaired province for the API's conformance and error tests: its answers hold real figures
/// and real unsynced dossiers, and the seeded dossiers' personal data is there to be looked for in them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ReconciledProvinceFixture>
{
    public const string Name = "api on a reconciled province";
}
