using Tally.Billing.Entitlements;

namespace Tally.Billing.Subscriptions;

/// <summary>Subscriptions, and the entitlements they grant, written together.</summary>
public interface ISubscriptionStore
{
    /// <summary>
    /// Stores <paramref name="subscription"/> and the entitlements its plan grants, in one transaction,
    /// after ending <paramref name="ending"/> (a plan change: the current subscription and its
    /// entitlements end where the new one starts). Throws <see cref="LedgerConflictException"/> on
    /// field <c>customerId</c> if the new subscription would overlap another of the customer's.
    /// </summary>
    Task CreateAsync(Subscription subscription, IReadOnlyList<Entitlement> entitlements, Subscription? ending, CancellationToken cancellationToken);

    /// <summary>Ends a subscription at <paramref name="activeTo"/> (null: unschedules a cancellation) and its entitlements with it.</summary>
    Task SetEndAsync(string tenantId, string id, DateTimeOffset? activeTo, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes a subscription that has not started, with its entitlements.</summary>
    Task DeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken);

    Task<Subscription?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>The customer's subscriptions (deleted ones left out), by start.</summary>
    Task<IReadOnlyList<Subscription>> ListForCustomerAsync(string tenantId, string customerId, CancellationToken cancellationToken);

    /// <summary>The subscriptions of each of <paramref name="customerIds"/> (deleted ones left out), by customer then start: one read for a batch.</summary>
    Task<IReadOnlyList<Subscription>> ListForCustomersAsync(string tenantId, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken);

    /// <summary>Every subscription of the tenant that is in force at some instant of [from, to), by customer and start.</summary>
    Task<IReadOnlyList<Subscription>> ListInForceAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>
    /// The tenant's subscriptions in force at some instant of [from, to) that do not bill on the calendar
    /// month in UTC (they have a billing anchor, or their customer another time zone), each with its
    /// customer's time zone: the ones whose periods can end before a month ends in UTC.
    /// </summary>
    Task<IReadOnlyList<(Subscription Subscription, string TimeZone)>> ListOffCalendarAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
