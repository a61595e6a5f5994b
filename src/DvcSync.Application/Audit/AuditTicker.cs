using DvcSync.Application.Reconciliation;
using DvcSync.Core.Ports;
using Microsoft.Extensions.Logging;

namespace DvcSync.Application.Audit;

/// <summary>
/// Between page checkpoints, every <see cref="Every"/>: saves and logs the live figures and renews the lease. A page of
/// 500 at a ceiling of 20 calls a second takes 25 s, and an operator watching /api/health should not see a frozen
/// count meanwhile. Stops when disposed.
/// </summary>
internal sealed class AuditTicker : IAsyncDisposable
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _ticking = new();
    private readonly Task _loop;

    public AuditTicker(AuditProgress progress, AuditLiveFigures live, LeasedRun lease, TimeProvider clock, ILogger logger) =>
        _loop = TickAsync(progress, live, lease, clock, logger, _ticking.Token);

    private static async Task TickAsync(AuditProgress progress, AuditLiveFigures live, LeasedRun lease, TimeProvider clock, ILogger logger,
        CancellationToken token)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Every, clock, token);
                await progress.SaveOrStopAsync(live.Of);
                await lease.RenewAsync(CancellationToken.None);
                progress.Log();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // the slice is over
        }
        catch (Exception e)
        {
            // The figures between checkpoints are a courtesy; the checkpoints themselves still stop on failure.
            logger.LogWarning(e, "Audit {AuditId}: its progress could not be saved between pages", progress.Job.Id);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _ticking.CancelAsync();
        await _loop;
        _ticking.Dispose();
    }
}
