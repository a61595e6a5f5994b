using System.Text.Json.Nodes;
using DvcSync.Application.PortalAvailability;
using DvcSync.Core.Ports;
using Moq;

namespace DvcSync.UnitTests.Application.PortalAvailability;

public class PortalCircuitTests
{
    private readonly FixedClock _clock = new(HandlerFixture.Now);
    private readonly List<bool> _changes = [];
    private PortalCircuit Circuit()
    {
        var circuit = new PortalCircuit(_clock, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), failureThreshold: 3);
        circuit.Changed += (open, _) => _changes.Add(open);
        return circuit;
    }

    [Fact]
    public void Opens_after_the_threshold_of_failures_in_a_row_and_not_before()
    {
        var circuit = Circuit();
        circuit.ReportFailure();
        circuit.ReportFailure();
        circuit.ReportSuccess();
        circuit.ReportFailure();
        circuit.ReportFailure();
        Assert.True(circuit.TryEnter(out _));
        circuit.ReportFailure();

        Assert.False(circuit.TryEnter(out var wait));
        Assert.Equal(TimeSpan.FromSeconds(30), wait);
        Assert.Equal([true], _changes);
    }

    [Fact]
    public void A_request_refused_as_malformed_opens_the_circuit_at_once_and_holds_it_open_until_a_call_succeeds()
    {
        var circuit = Circuit();
        var refusals = new List<string>();
        circuit.Refused += (problem, _) => refusals.Add(problem);

        circuit.ReportRefused("check NationalPortal:DstCode");
        Assert.False(circuit.TryEnter(out var wait));
        Assert.Equal(TimeSpan.FromSeconds(30), wait);

        // The probe is refused again: open for twice as long, and still one episode.
        _clock.Now += TimeSpan.FromSeconds(31);
        Assert.True(circuit.TryEnter(out _));
        circuit.ReportRefused("check NationalPortal:DstCode");
        Assert.False(circuit.TryEnter(out wait));
        Assert.Equal(TimeSpan.FromSeconds(60), wait);
        Assert.Equal(["check NationalPortal:DstCode"], refusals);

        _clock.Now += TimeSpan.FromSeconds(61);
        Assert.True(circuit.TryEnter(out _));
        circuit.ReportSuccess();
        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.Equal([true, false], _changes);

        // A new refusal after a success is a new episode.
        circuit.ReportRefused("again");
        Assert.Equal(["check NationalPortal:DstCode", "again"], refusals);
    }

    [Fact]
    public void After_the_break_one_probe_goes_through_and_its_success_closes_the_circuit()
    {
        var circuit = Circuit();
        for (var i = 0; i < 3; i++) circuit.ReportFailure();
        _clock.Now += TimeSpan.FromSeconds(31);

        Assert.True(circuit.TryEnter(out _));
        Assert.False(circuit.TryEnter(out _));
        circuit.ReportSuccess();

        Assert.Equal(CircuitState.Closed, circuit.State);
        Assert.True(circuit.TryEnter(out _));
        Assert.Equal([true, false], _changes);
    }

    [Fact]
    public void A_failed_probe_doubles_the_break_up_to_the_maximum()
    {
        var circuit = Circuit();
        for (var i = 0; i < 3; i++) circuit.ReportFailure();
        foreach (var expected in new[] { 60, 120, 120 })
        {
            _clock.Now += TimeSpan.FromMinutes(5);
            Assert.True(circuit.TryEnter(out _));
            circuit.ReportFailure();
            Assert.False(circuit.TryEnter(out var wait));
            Assert.Equal(TimeSpan.FromSeconds(expected), wait);
        }
    }

    [Fact]
    public async Task The_decorator_sends_nothing_while_open_and_treats_throttling_as_proof_of_life()
    {
        var circuit = Circuit();
        var portal = new Mock<INationalPortal>(MockBehavior.Strict);
        portal.SetupSequence(p => p.LookUpAsync("X", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.Transient, null, "HTTP 503"))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.Transient, null, "HTTP 429", TimeSpan.FromSeconds(1)))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.Transient, null, "HTTP 503"))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.Transient, null, "HTTP 503"))
            .ReturnsAsync(new PortalLookupResult(PortalOutcomeKind.Transient, null, "HTTP 503"));
        var guarded = new CircuitBreakingPortal(portal.Object, circuit);

        for (var i = 0; i < 5; i++) await guarded.LookUpAsync("X", CancellationToken.None);
        var refused = await guarded.SyncDossiersAsync([new JsonObject()], false, CancellationToken.None);

        Assert.Equal(PortalOutcomeKind.CircuitOpen, refused.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        portal.Verify(p => p.LookUpAsync("X", It.IsAny<CancellationToken>()), Times.Exactly(5));
        portal.VerifyNoOtherCalls();
    }
}

public class PortalCircuitProbeTests
{
    [Fact]
    public async Task A_probe_cancelled_before_its_answer_lets_the_next_caller_probe()
    {
        var clock = new FixedClock(HandlerFixture.Now);
        var circuit = new PortalCircuit(clock, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), failureThreshold: 1);
        circuit.ReportFailure();
        clock.Now += TimeSpan.FromSeconds(31);
        var portal = new Moq.Mock<DvcSync.Core.Ports.INationalPortal>();
        portal.Setup(p => p.LookUpAsync("X", Moq.It.IsAny<CancellationToken>())).ThrowsAsync(new OperationCanceledException());

        await Assert.ThrowsAsync<OperationCanceledException>(() => new CircuitBreakingPortal(portal.Object, circuit).LookUpAsync("X", CancellationToken.None));

        Assert.True(circuit.TryEnter(out _));
    }
}
