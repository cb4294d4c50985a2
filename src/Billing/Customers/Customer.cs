namespace Tally.Billing.Customers;

/// <summary>
/// A tenant's customer. Usage is attributed to it through <see cref="SubjectKeys"/> (the CloudEvent
/// <c>subject</c>); by default its key is its only subject.
/// </summary>
public sealed record Customer(
    string TenantId,
    string Id,
    string Key,
    string Name,
    IReadOnlyList<string> SubjectKeys,
    Currency Currency,
    DateTimeOffset CreatedAt);

/// <summary>A customer's subscription to a plan, active from <see cref="ActiveFrom"/> (UTC).</summary>
public sealed record Subscription(string TenantId, string Id, string CustomerId, string PlanId, DateTimeOffset ActiveFrom, DateTimeOffset CreatedAt);
