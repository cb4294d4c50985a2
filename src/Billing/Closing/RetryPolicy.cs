namespace Tally.Billing.Closing;

/// <summary>
/// Retries of a failed step: exponential backoff from <see cref="BaseDelay"/> doubling up to
/// <see cref="MaxDelay"/>, and after <see cref="MaxAttempts"/> failures the task is parked. Pure.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>When to try again after the <paramref name="attempt"/>-th failure (1-based), or null to park.</summary>
    public DateTimeOffset? NextAttempt(int attempt, DateTimeOffset now)
    {
        if (attempt >= MaxAttempts)
        {
            return null;
        }

        var delay = BaseDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30));
        return now + TimeSpan.FromTicks((long)Math.Min(delay, MaxDelay.Ticks));
    }
}
