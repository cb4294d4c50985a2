namespace Tally.Billing.Customers;

/// <summary>Customers and their subject keys.</summary>
public interface ICustomerStore
{
    /// <summary>
    /// Stores a customer; conflict on field <c>key</c> if the key is taken, or on
    /// <c>usageAttribution.subjectKeys</c> if another customer of the tenant already has a subject.
    /// </summary>
    Task CreateAsync(Customer customer, CancellationToken cancellationToken);

    /// <summary>Replaces a customer's fields and subject keys (same conflicts as create).</summary>
    Task UpdateAsync(Customer customer, CancellationToken cancellationToken);

    /// <summary>Marks the customer deleted and frees its subject keys; its key stays reserved.</summary>
    Task DeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The customer with this id or key (not deleted), or null.</summary>
    Task<Customer?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken);

    /// <summary>The customers (not deleted) with these ids, in a fixed number of reads whatever their count; unknown ids are left out.</summary>
    Task<IReadOnlyList<Customer>> GetManyAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken);

    /// <summary>The tenant's customers by key; deleted ones only when asked.</summary>
    Task<IReadOnlyList<Customer>> ListAsync(string tenantId, CancellationToken cancellationToken, bool includeDeleted = false);

    /// <summary>Which customer each of <paramref name="subjects"/> is attributed to (subjects of no customer are left out).</summary>
    Task<IReadOnlyDictionary<string, string>> CustomerIdsBySubjectAsync(string tenantId, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken);
}
