using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Rating.Customers;

namespace Tally.Rating.Entitlements;

/// <summary>How the entitlement routes find what a path names, for v2 (customer) and v1 (subject) routes alike.</summary>
internal static class EntitlementLookup
{
    /// <summary>The customer of a v2 path (id or key) or of a v1 path (a subject key).</summary>
    public static Task<Customer?> CustomerAsync(ICustomerStore customers, string tenantId, string reference, bool bySubject, CancellationToken cancellationToken) =>
        bySubject ? SubjectEndpoints.FindAsync(customers, tenantId, reference, cancellationToken) : customers.GetAsync(tenantId, reference, cancellationToken);

    /// <summary>The customer's entitlement with this id, or to the feature with this key (the one in force now, else the latest).</summary>
    public static async Task<Entitlement?> EntitlementAsync(IEntitlementStore store, Customer customer, string idOrFeatureKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var all = await store.ListForCustomerAsync(customer.TenantId, customer.Id, includeDeleted: false, cancellationToken);
        return all.FirstOrDefault(e => e.Id == idOrFeatureKey)
            ?? all.Where(e => e.FeatureKey == idOrFeatureKey).OrderByDescending(e => e.IsActiveAt(now)).ThenByDescending(e => e.ActiveFrom).FirstOrDefault();
    }
}
