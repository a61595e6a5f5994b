using System.Diagnostics;
using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.UnitTests.Application.Reconciliation;

/// <summary>The frame the reconciliation and the audit share: one lease holder at a time, and every way a run ends.</summary>
public class LeasedRunTests
{
    private static readonly RunKind Kind = new("Test run", new ActivitySource("DvcSync.UnitTests.LeasedRun"), "test");

    private readonly HashSet<string> _holders = [];
    private readonly List<string> _released = [];
    private readonly List<Exception> _recorded = [];
    private readonly RecordingLogger<LeasedRunTests> _logger = new();

    private RunLease Lease() => new(
        (owner, _, _) =>
        {
            if (_holders.Count > 0 && !_holders.Contains(owner)) return Task.FromResult(false);
            _holders.Add(owner);
            return Task.FromResult(true);
        },
        (owner, _) =>
        {
            _holders.Remove(owner);
            _released.Add(owner);
            return Task.CompletedTask;
        },
        TimeSpan.FromMinutes(2));

    private Task<int> Run(LeasedRun run, Func<Task<int>> body, CancellationToken cancellationToken = default) =>
        run.RunAsync(Kind, "r1", _ => body(), e =>
        {
            _recorded.Add(e);
            return Task.FromResult(new RunFailureReport("3 pages", "the next run resumes"));
        }, _logger, cancellationToken);

    [Fact]
    public async Task A_second_run_cannot_take_a_held_lease_and_a_finished_run_releases_it()
    {
        var first = await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None);
        Assert.NotNull(first);
        Assert.Null(await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None));

        Assert.Equal(7, await Run(first, () => Task.FromResult(7)));
        Assert.Equal([first.Owner], _released);
        Assert.Empty(_recorded);
        Assert.NotNull(await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None));
    }

    [Fact]
    public async Task An_unavailable_system_is_recorded_logged_as_a_warning_and_rethrown()
    {
        var run = (await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None))!;
        var failure = new ExternalSystemUnavailableException("national portal", "circuit open");

        Assert.Same(failure, await Assert.ThrowsAsync<ExternalSystemUnavailableException>(() => Run(run, () => throw failure)));
        Assert.Same(failure, Assert.Single(_recorded));
        var (level, message) = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("Test run r1 stopped after 3 pages", message);
        Assert.Contains("the next run resumes", message);
        Assert.Single(_released);
    }

    [Fact]
    public async Task Any_other_failure_is_recorded_and_logged_as_an_error()
    {
        var run = (await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None))!;

        await Assert.ThrowsAsync<InvalidOperationException>(() => Run(run, () => throw new InvalidOperationException("storage")));
        Assert.Single(_recorded);
        Assert.Equal(LogLevel.Error, Assert.Single(_logger.Entries).Level);
        Assert.Single(_released);
    }

    [Fact]
    public async Task The_callers_cancellation_is_no_failure_but_a_time_out_inside_the_run_is()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var run = (await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None))!;
        await Assert.ThrowsAsync<OperationCanceledException>(() => Run(run, () => throw new OperationCanceledException(cancelled.Token), cancelled.Token));
        Assert.Empty(_recorded);
        Assert.Empty(_logger.Entries);
        Assert.Single(_released);

        run = (await LeasedRun.TryTakeAsync(Lease(), CancellationToken.None))!;
        await Assert.ThrowsAsync<TaskCanceledException>(() => Run(run, () => throw new TaskCanceledException("storage did not answer")));
        Assert.Single(_recorded);
        Assert.Equal(2, _released.Count);
    }
}
