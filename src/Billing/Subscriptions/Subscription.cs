namespace Tally.Billing.Subscriptions;

/// <summary>Where a subscription is in its life (OpenMeter's rule).</summary>
public enum SubscriptionStatus
{
    Active,
    Inactive,
    Canceled,
    Scheduled,
}

/// <summary>
/// A customer's subscription to one version of a plan, in force over [<see cref="ActiveFrom"/>,
/// <see cref="ActiveTo"/>). A customer's subscriptions never overlap. Cancelling sets
/// <see cref="ActiveTo"/>; changing plans ends this subscription where the next one starts.
/// </summary>
public sealed record Subscription(
    string TenantId,
    string Id,
    string CustomerId,
    string PlanId,
    string PlanKey,
    int PlanVersion,
    string Name,
    Currency Currency,
    DateTimeOffset ActiveFrom,
    DateTimeOffset? ActiveTo,
    DateTimeOffset CreatedAt)
{
    public string? Description { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>
    /// OpenMeter's <c>billingAnchor</c>: its local day of month and time of day (in the customer's time
    /// zone, whole minutes) are when the subscription's monthly periods turn. Null: the calendar month
    /// (the 1st at 00:00 local time), which is what Tally bills when no anchor is given.
    /// </summary>
    public DateTimeOffset? BillingAnchor { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    /// <summary>Set when a subscription that had not started yet was deleted; a deleted subscription never bills.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    public SubscriptionStatus StatusAt(DateTimeOffset now) => this switch
    {
        { DeletedAt: not null } => SubscriptionStatus.Inactive,
        _ when ActiveFrom > now => SubscriptionStatus.Scheduled,
        { ActiveTo: null } => SubscriptionStatus.Active,
        { ActiveTo: { } to } when to > now => SubscriptionStatus.Canceled,
        _ => SubscriptionStatus.Inactive,
    };

    /// <summary>Whether the subscription is in force at some instant of [from, to).</summary>
    public bool Overlaps(DateTimeOffset from, DateTimeOffset? to) =>
        DeletedAt is null && (to is null || ActiveFrom < to) && (ActiveTo is null || ActiveTo > from) && ActiveTo != ActiveFrom;
}
