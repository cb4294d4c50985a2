namespace Tally.Billing.Events;

/// <summary>
/// What makes a usage event itself: its tenant, CloudEvent <c>source</c> and <c>id</c>. Idempotency,
/// dedup, lineage and exactly-once all hang on it, never on where the event sits in a log.
/// </summary>
public readonly record struct EventIdentity(string TenantId, string Source, string Id)
{
    public override string ToString() => $"{TenantId}/{Source}/{Id}";
}
