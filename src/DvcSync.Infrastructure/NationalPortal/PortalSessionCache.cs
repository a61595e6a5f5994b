namespace DvcSync.Infrastructure.NationalPortal;

/// <summary>
/// The one portal session of this process (a singleton). Signs in lazily, hands the same session to every caller,
/// and renews it only when a caller reports that the generation it used was refused ("-2"). Concurrent callers
/// share one sign-in, and share its failure too: a wave of callers never turns into a wave of sign-ins. After the
/// portal refuses the credentials ("-1"), nobody tries again for <see cref="CredentialCoolDown"/>: repeated bad
/// sign-ins lock accounts, and only an operator can fix the password anyway.
/// </summary>
internal sealed class PortalSessionCache(TimeProvider time)
{
    public static readonly TimeSpan CredentialCoolDown = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private State _state = new(0, null, null, 0);

    /// <param name="refusedGeneration">The generation the portal just refused with "-2", or null for any valid session.</param>
    public async Task<PortalSession> GetAsync(long? refusedGeneration, Func<CancellationToken, Task<SignInAttempt>> signIn, CancellationToken cancellationToken)
    {
        var seen = Volatile.Read(ref _state);
        if (seen.Session is { } usable && seen.Generation != refusedGeneration) return new PortalSession(seen.Generation, usable, null);
        if (CoolingDown(seen) is { } coolDown) return coolDown;

        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _state;
            if (current.Generation != seen.Generation)
            {
                // Someone signed in (or failed to) while this caller waited: take that result.
                return current.Session is { } renewed
                    ? new PortalSession(current.Generation, renewed, null)
                    : new PortalSession(current.Generation, null, current.Failure);
            }

            var attempt = await signIn(cancellationToken).ConfigureAwait(false);
            var next = new State(
                current.Generation + 1,
                attempt.Session,
                attempt.Failure,
                attempt.Failure is { CredentialsRefused: true } ? time.GetTimestamp() + (long)(CredentialCoolDown.TotalSeconds * time.TimestampFrequency) : 0);
            Volatile.Write(ref _state, next);
            return new PortalSession(next.Generation, next.Session, next.Failure);
        }
        finally
        {
            _lock.Release();
        }
    }

    private PortalSession? CoolingDown(State state)
    {
        if (state.Failure is not { CredentialsRefused: true } failure) return null;
        var left = time.GetElapsedTime(time.GetTimestamp(), state.NotBefore);
        return left > TimeSpan.Zero ? new PortalSession(state.Generation, null, failure with { RetryAfter = left }) : null;
    }

    private sealed record State(long Generation, string? Session, SignInFailure? Failure, long NotBefore);
}

internal sealed record PortalSession(long Generation, string? Session, SignInFailure? Failure);

/// <param name="Kind">How a call that needed this sign-in ends: transient, or a configuration error (HTTP 400).</param>
internal sealed record SignInFailure(string Message, bool CredentialsRefused, TimeSpan? RetryAfter = null, DvcSync.Core.Ports.PortalOutcomeKind Kind = DvcSync.Core.Ports.PortalOutcomeKind.Transient);

internal sealed record SignInAttempt(string? Session, SignInFailure? Failure)
{
    public static SignInAttempt Succeeded(string session) => new(session, null);
    public static SignInAttempt Failed(SignInFailure failure) => new(null, failure);
}
