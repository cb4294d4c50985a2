namespace Tally.Billing.Entitlements;

/// <summary>Entitlements, their grants and manual resets.</summary>
public interface IEntitlementStore
{
    /// <summary>
    /// Stores an entitlement with its first grants; with <paramref name="replacing"/> (an override)
    /// that entitlement is deleted in the same transaction. Throws <see cref="LedgerConflictException"/>
    /// on field <c>featureKey</c> when the customer already has an entitlement to the feature that overlaps.
    /// </summary>
    Task CreateAsync(Entitlement entitlement, IReadOnlyList<Grant> grants, Entitlement? replacing, CancellationToken cancellationToken);

    /// <summary>Deletes (ends) an entitlement; false if there is none.</summary>
    Task<bool> DeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The entitlement with this id (deleted ones too), with its manual resets.</summary>
    Task<Entitlement?> GetAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>The customer's entitlements (deleted ones only when asked), by feature key then start.</summary>
    Task<IReadOnlyList<Entitlement>> ListForCustomerAsync(string tenantId, string customerId, bool includeDeleted, CancellationToken cancellationToken);

    /// <summary>The entitlements of each of <paramref name="customerIds"/> (deleted ones left out): one read for a batch.</summary>
    Task<IReadOnlyList<Entitlement>> ListForCustomersAsync(string tenantId, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken);

    /// <summary>Every entitlement of the tenant (deleted ones only when asked), by feature key then start.</summary>
    Task<IReadOnlyList<Entitlement>> ListAsync(string tenantId, bool includeDeleted, CancellationToken cancellationToken);

    /// <summary>Stores a grant of an existing entitlement.</summary>
    Task CreateGrantAsync(Grant grant, CancellationToken cancellationToken);

    Task<Grant?> GetGrantAsync(string tenantId, string grantId, CancellationToken cancellationToken);

    /// <summary>The grants of one entitlement, or of all the tenant's entitlements when null, by creation.</summary>
    Task<IReadOnlyList<Grant>> ListGrantsAsync(string tenantId, string? entitlementId, CancellationToken cancellationToken);

    /// <summary>The grants of each of <paramref name="entitlementIds"/>, by creation: one read for a batch.</summary>
    Task<IReadOnlyList<Grant>> ListGrantsOfAsync(string tenantId, IReadOnlyCollection<string> entitlementIds, CancellationToken cancellationToken);

    /// <summary>Voids a grant from <paramref name="at"/> on; false if it does not exist or is voided already.</summary>
    Task<bool> VoidGrantAsync(string tenantId, string grantId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a manual usage reset.</summary>
    Task AddResetAsync(string tenantId, string entitlementId, DateTimeOffset at, CancellationToken cancellationToken);
}
