using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Tally.ServiceDefaults;

namespace Tally.Ingest.RateLimits;

/// <summary>
/// Per-tenant ingest limits: requests per second (ASP.NET Core's rate limiting middleware, policy
/// <see cref="PolicyName"/>, on the ingest routes) and events per second (taken per request once the body
/// is parsed). A tenant's own limits come from the admin API through its verified key's claims; otherwise
/// <c>Ingest:RequestsPerSecond</c> and <c>Ingest:EventsPerSecond</c>. A full batch may always burst.
/// </summary>
public sealed class IngestRateLimits : IRateLimiterPolicy<IngestRateLimits.Key>, IDisposable
{
    public const string PolicyName = "tally-ingest";

    private readonly IngestOptions _options;
    private readonly TimeProvider _clock;
    private readonly PartitionedRateLimiter<Key> _events;
    private readonly PartitionedRateLimiter<Key> _grpcRequests;

    public IngestRateLimits(IOptions<IngestOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _events = PartitionedRateLimiter.Create<Key, Key>(key => RateLimitPartition.Get(
            key, k => new TenantTokenBucket(k.Limit, Math.Max(k.Limit, Billing.Limits.EventsPerRequest), _clock)));
        _grpcRequests = PartitionedRateLimiter.Create<Key, Key>(key => RateLimitPartition.Get(key, k => new TenantTokenBucket(k.Limit, k.Limit, _clock)));
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => (context, _) =>
    {
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        return new ValueTask(Write(context.HttpContext, retryAfter, $"more than {Limit(context.HttpContext.User, TallyClaims.RequestsPerSecond, _options.RequestsPerSecond)} requests per second"));
    };

    public RateLimitPartition<Key> GetPartition(HttpContext httpContext)
    {
        var user = httpContext.User;
        if (user.FindFirstValue(TallyClaims.TenantId) is not { } tenant)
        {
            // Not a tenant: authorization answers it; nothing to count.
            return RateLimitPartition.GetNoLimiter(new Key("", 0));
        }

        var limit = Limit(user, TallyClaims.RequestsPerSecond, _options.RequestsPerSecond);
        return RateLimitPartition.Get(new Key(tenant, limit), k => new TenantTokenBucket(k.Limit, k.Limit, _clock));
    }

    /// <summary>Takes <paramref name="events"/> permits of the tenant's events per second; the wait before retrying if refused.</summary>
    public TimeSpan? TryTakeEvents(ClaimsPrincipal user, int events)
    {
        var key = new Key(user.GetTenantId(), Limit(user, TallyClaims.EventsPerSecond, _options.EventsPerSecond));
        using var lease = _events.AttemptAcquire(key, events);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    /// <summary>Takes one gRPC call of the tenant's requests per second (a bucket of its own beside HTTP's); the wait if refused.</summary>
    public TimeSpan? TryTakeRequest(ClaimsPrincipal user)
    {
        var key = new Key(user.GetTenantId(), Limit(user, TallyClaims.RequestsPerSecond, _options.RequestsPerSecond));
        using var lease = _grpcRequests.AttemptAcquire(key, 1);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
    }

    /// <summary>The tenant's events-per-second limit, for messages.</summary>
    public int EventsPerSecond(ClaimsPrincipal user) => Limit(user, TallyClaims.EventsPerSecond, _options.EventsPerSecond);

    /// <summary>Answers 429 with Retry-After and a problem naming the limit.</summary>
    public static Task Write(HttpContext context, TimeSpan retryAfter, string what)
    {
        var seconds = (int)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return Problems.TooManyRequests($"This tenant sent {what}; nothing of this request was stored. Retry after {seconds} s, or ask the operator for a higher limit.")
            .ExecuteAsync(context);
    }

    public void Dispose()
    {
        _events.Dispose();
        _grpcRequests.Dispose();
    }

    private static int Limit(ClaimsPrincipal user, string claim, int fallback) =>
        user.FindFirstValue(claim) is { } own && int.TryParse(own, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : fallback;

    /// <summary>A tenant and the limit in force for it (a new limit starts a new bucket).</summary>
    public readonly record struct Key(string Tenant, int Limit);
}
