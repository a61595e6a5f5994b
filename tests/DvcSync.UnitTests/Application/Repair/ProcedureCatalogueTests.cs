using DvcSync.Application.Repair;
using DvcSync.Core.Ports;
using Moq;

namespace DvcSync.UnitTests.Application.Repair;

public class ProcedureCatalogueTests
{
    private readonly Mock<INationalPortal> _portal = new(MockBehavior.Strict);
    private readonly FixedClock _clock = new(HandlerFixture.Now);

    [Fact(Timeout = 10_000)]
    public async Task Dossiers_of_one_procedure_asked_about_at_once_cost_one_LayThuTuc()
    {
        // A batch prepares its dossiers in parallel: before the first answer lands, every one of them asks.
        var answer = new TaskCompletionSource<ProcedureLookupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _portal.Setup(p => p.GetProcedureAsync("1.000001", It.IsAny<CancellationToken>())).Returns(answer.Task);
        var catalogue = new ProcedureCatalogue(_portal.Object, _clock);

        var asking = Enumerable.Range(0, 20).Select(_ => catalogue.IsKnownAsync("1.000001", CancellationToken.None)).ToList();
        answer.SetResult(new ProcedureLookupResult(PortalOutcomeKind.Accepted, true, ""));

        Assert.All(await Task.WhenAll(asking), known => Assert.True(known));
        Assert.True(await catalogue.IsKnownAsync("1.000001", CancellationToken.None)); // from the cache
        _portal.Verify(p => p.GetProcedureAsync("1.000001", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_question_that_failed_is_asked_again_by_the_next_dossier()
    {
        _portal.SetupSequence(p => p.GetProcedureAsync("1.000002", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ProcedureLookupResult(PortalOutcomeKind.Transient, null, "timeout"))
            .ReturnsAsync(new ProcedureLookupResult(PortalOutcomeKind.Accepted, false, ""));
        var catalogue = new ProcedureCatalogue(_portal.Object, _clock);

        Assert.Null(await catalogue.IsKnownAsync("1.000002", CancellationToken.None));
        Assert.False(await catalogue.IsKnownAsync("1.000002", CancellationToken.None));
        _portal.Verify(p => p.GetProcedureAsync("1.000002", It.IsAny<CancellationToken>()), Times.Exactly(2));
    }
}
