namespace Tally.Billing.Customers;

/// <summary>Customers, their subject keys and subscriptions.</summary>
public interface ICustomerStore
{
    /// <summary>
    /// Stores a customer; conflict on field <c>key</c> if the key is taken, or on
    /// <c>usageAttribution.subjectKeys</c> if another customer of the tenant already has a subject.
    /// </summary>
    Task CreateAsync(Customer customer, CancellationToken cancellationToken);

    Task<Customer?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken);

    Task<IReadOnlyList<Customer>> ListAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Which customer each of <paramref name="subjects"/> is attributed to (subjects of no customer are left out).</summary>
    Task<IReadOnlyDictionary<string, string>> CustomerIdsBySubjectAsync(string tenantId, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken);

    /// <summary>Stores a subscription; conflict on field <c>customerId</c> if the customer already has one starting at the same instant.</summary>
    Task CreateSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken);

    /// <summary>The subscription in force at <paramref name="at"/>: the latest with ActiveFrom at or before it.</summary>
    Task<Subscription?> GetActiveSubscriptionAsync(string tenantId, string customerId, DateTimeOffset at, CancellationToken cancellationToken);
}
