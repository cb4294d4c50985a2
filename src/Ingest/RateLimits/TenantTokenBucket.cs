using System.Threading.RateLimiting;

namespace Tally.Ingest.RateLimits;

/// <summary>
/// A token bucket refilled lazily from the injected clock (no timer), so a tenant's limit behaves the same
/// under a fake clock in tests: <c>rate</c> permits per second up to <c>capacity</c>; a refusal says when
/// enough permits will be back (Retry-After).
/// </summary>
internal sealed class TenantTokenBucket(double rate, double capacity, TimeProvider clock) : RateLimiter
{
    private readonly Lock _gate = new();
    private double _tokens = double.NaN;
    private long _refilledAt = clock.GetTimestamp();

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _tokens >= capacity ? clock.GetElapsedTime(_refilledAt) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            Refill();
            return new RateLimiterStatistics { CurrentAvailablePermits = (long)_tokens };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_gate)
        {
            Refill();
            if (_tokens >= permitCount)
            {
                _tokens -= permitCount;
                return Lease.Granted;
            }

            // A request larger than the bucket waits for a full bucket; it is then let through.
            var missing = Math.Min(permitCount, capacity) - _tokens;
            if (missing <= 0)
            {
                _tokens -= Math.Min(permitCount, _tokens);
                return Lease.Granted;
            }

            return new Lease(false, TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(missing / rate))));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private void Refill()
    {
        if (double.IsNaN(_tokens))
        {
            _tokens = capacity;
        }

        var now = clock.GetTimestamp();
        var elapsed = clock.GetElapsedTime(_refilledAt, now).TotalSeconds;
        if (elapsed > 0)
        {
            _tokens = Math.Min(capacity, _tokens + (elapsed * rate));
            _refilledAt = now;
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
