using DvcSync.IntegrationTests.Infrastructure;

namespace DvcSync.IntegrationTests.Storage.Contract;

// One concrete class per contract and store: the same tests, on Azure Storage (Azurite) and on the embedded store.

[Collection(AzuriteCollection.Name)]
public sealed class AzureLedgerContract(AzuriteFixture azurite) : LedgerContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteLedgerContract : LedgerContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureRollupContract(AzuriteFixture azurite) : RollupContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteRollupContract : RollupContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzurePipelineStateContract(AzuriteFixture azurite) : PipelineStateContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqlitePipelineStateContract : PipelineStateContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureAuditStoreContract(AzuriteFixture azurite) : AuditStoreContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteAuditStoreContract : AuditStoreContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureQueueContract(AzuriteFixture azurite) : QueueContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteQueueContract : QueueContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureScoreCounterContract(AzuriteFixture azurite) : ScoreCounterContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteScoreCounterContract : ScoreCounterContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureAgencyArchiveContract(AzuriteFixture azurite) : AgencyArchiveContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteAgencyArchiveContract : AgencyArchiveContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}

[Collection(AzuriteCollection.Name)]
public sealed class AzureLedgerMoveContract(AzuriteFixture azurite) : LedgerMoveContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.AzureAsync(azurite, clock);
}

public sealed class SqliteLedgerMoveContract : LedgerMoveContract
{
    protected override Task<StoreUnderTest> OpenAsync(TimeProvider? clock = null) => StoreUnderTest.SqliteAsync(clock);
}
