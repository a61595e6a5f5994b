using System.Diagnostics;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Reconciliation;

/// <summary>Where a kind of run keeps its lease, and how long the lease holds without a renewal.</summary>
public sealed record RunLease(
    Func<string, TimeSpan, CancellationToken, Task<bool>> TryAcquireAsync,
    Func<string, CancellationToken, Task> ReleaseAsync,
    TimeSpan Duration);

/// <summary>A kind of leased run: how the logs name it, and its trace.</summary>
public sealed record RunKind(string Name, ActivitySource Traces, string ActivityName);

/// <summary>What a failed run says of itself in the log: how far it got, and where the next run picks up.</summary>
public sealed record RunFailureReport(string Progress, string Resume);

/// <summary>
/// The frame of a run that reads the provincial system page by page under a lease, shared by the reconciliation and
/// the audit: one process at a time runs it, a run longer than one lease keeps it by renewing it after every page, and
/// a process that dies loses it when it lapses. However the run ends the lease is released; a run that fails is
/// recorded where <c>/api/health</c> reads it, logged, marked on its trace and rethrown, so the host sees it too.
/// </summary>
public sealed class LeasedRun
{
    private readonly RunLease _lease;

    private LeasedRun(RunLease lease, string owner)
    {
        _lease = lease;
        Owner = owner;
    }

    /// <summary>The run's id, under which it holds the lease.</summary>
    public string Owner { get; }

    /// <returns>The run holding the lease; null when another process holds it.</returns>
    public static async Task<LeasedRun?> TryTakeAsync(RunLease lease, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N")[..12];
        return await lease.TryAcquireAsync(owner, lease.Duration, cancellationToken) ? new LeasedRun(lease, owner) : null;
    }

    /// <summary>After every page: the lease lasts another <see cref="RunLease.Duration"/> from now.</summary>
    public Task RenewAsync(CancellationToken cancellationToken) => _lease.TryAcquireAsync(Owner, _lease.Duration, cancellationToken);

    /// <summary>
    /// Runs <paramref name="body"/> in a trace of its own and releases the lease however it ends. A failure — anything
    /// but the caller's cancellation — is first recorded by <paramref name="recordFailure"/>, then logged: as a warning
    /// when an external system is unavailable, which the next run outlives; as an error otherwise.
    /// </summary>
    /// <param name="id">How the logs name this run.</param>
    public async Task<T> RunAsync<T>(RunKind kind, string id, Func<Activity?, Task<T>> body,
        Func<Exception, Task<RunFailureReport>> recordFailure, ILogger logger, CancellationToken cancellationToken)
    {
        using var activity = kind.Traces.StartActivity(kind.ActivityName);
        try
        {
            return await body(activity);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var report = await recordFailure(e);
            if (e is ExternalSystemUnavailableException unavailable)
                logger.LogWarning("{Kind} {RunId} stopped after {Progress}: {Reason}; {Resume}", kind.Name, id, report.Progress, unavailable.Message, report.Resume);
            else
                logger.LogError(e, "{Kind} {RunId} failed after {Progress}; {Resume}", kind.Name, id, report.Progress, report.Resume);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
        finally
        {
            await _lease.ReleaseAsync(Owner, CancellationToken.None);
        }
    }
}
