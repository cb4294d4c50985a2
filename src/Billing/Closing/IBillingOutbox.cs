namespace Tally.Billing.Closing;

/// <summary>
/// The billing events the ledger queued in the same transactions that issued, voided or parked things:
/// read in order, handed to the sinks (Kafka, webhooks), then marked published. A crash between the two
/// publishes an event again, so consumers deduplicate by its id (at-least-once, as Kafka and webhooks are).
/// </summary>
public interface IBillingOutbox
{
    /// <summary>The oldest unpublished events, up to <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<BillingEventRecord>> UnpublishedAsync(int limit, CancellationToken cancellationToken);

    Task MarkPublishedAsync(IReadOnlyList<BillingEventRecord> events, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>A tenant's events in the order they were queued, after the event <paramref name="after"/> (exclusive; null: from the start).</summary>
    Task<IReadOnlyList<BillingEventRecord>> ListAsync(string tenantId, string? after, int limit, CancellationToken cancellationToken);
}

/// <summary>A queued billing event: its id (stable, what consumers deduplicate on), type, tenant, invoice and JSON payload.</summary>
public sealed record BillingEventRecord(string TenantId, string Id, string Type, string? InvoiceId, string Payload, DateTimeOffset CreatedAt);

/// <summary>Where billing events go: a Kafka topic, webhooks. Publishing the same event twice must be harmless to the consumer.</summary>
public interface IBillingEventSink
{
    Task PublishAsync(IReadOnlyList<BillingEventRecord> events, CancellationToken cancellationToken);
}
