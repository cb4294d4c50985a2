using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Tally.Aggregator;
using Tally.Billing.Events;
using Tally.Billing.Tenants;

namespace Tally.Tests.Aggregator;

public sealed class RetentionWorkerTests
{
    [Fact]
    public async Task ApplyOnce_TenantsWithAndWithoutRetention_TrimsOnlyThoseWithOneAtNowMinusTheirDays()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var tenants = new Tenants([new Tenant("t_keep", "Keeps", clock.GetUtcNow()), new Tenant("t_40", "Forty", clock.GetUtcNow()) { RetentionDays = 40 }]);
        var events = new RecordingEvents();
        var worker = new RetentionWorker(tenants, events, clock, Options.Create(new AggregatorOptions()), NullLogger<RetentionWorker>.Instance);

        var trimmed = await worker.ApplyOnceAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, trimmed);
        Assert.Equal([("t_40", new DateTimeOffset(2026, 10, 18, 12, 0, 0, TimeSpan.Zero))], events.Deletes);
    }

    private sealed class Tenants(IReadOnlyList<Tenant> all) : ITenantStore
    {
        public Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(all);

        public Task<(Tenant Tenant, string ApiKey)> CreateAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Tenant?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Tenant?> GetAsync(string tenantId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetRetentionAsync(string tenantId, int? retentionDays, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> SetRateLimitsAsync(string tenantId, int? requestsPerSecond, int? eventsPerSecond, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<string?> CreateApiKeyAsync(string tenantId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> RevokeApiKeysAsync(string tenantId, string prefix, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class RecordingEvents : IEventStore
    {
        public List<(string, DateTimeOffset)> Deletes { get; } = [];

        public Task DeleteBeforeAsync(string tenantId, DateTimeOffset before, CancellationToken cancellationToken)
        {
            Deletes.Add((tenantId, before));
            return Task.CompletedTask;
        }

        public Task InsertAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task InsertEventsAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task TouchHoursAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task InsertRejectedAsync(IReadOnlyList<RejectedEvent> rejected, DateTimeOffset rejectedAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<KeyValuePair<UInt128, ulong>> IdentitiesAsync(int partition, long fromPosition, long toPosition, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<ListedEvent>> ListAsync(EventListQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
