namespace DvcSync.IntegrationTests.Infrastructure;

/// <summary>One Azurite for every test class in the collection; each test takes its own tables and queues.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
