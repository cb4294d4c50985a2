namespace Tally.Billing.Payments;

/// <summary>Installed payment apps and customers' links to processor customers, per tenant.</summary>
public interface IPaymentAppStore
{
    /// <summary>Stores a new app; conflict on field <c>type</c> if the tenant already has an app of that type.</summary>
    Task CreateAsync(PaymentApp app, CancellationToken cancellationToken);

    Task<PaymentApp?> GetAsync(string tenantId, string appId, CancellationToken cancellationToken);

    /// <summary>The tenant's app of <paramref name="type"/> (e.g. <see cref="PaymentApp.StripeType"/>), if installed.</summary>
    Task<PaymentApp?> FindByTypeAsync(string tenantId, string type, CancellationToken cancellationToken);

    /// <summary>One page (1-based) of the tenant's apps, oldest first, and how many there are in all.</summary>
    Task<(IReadOnlyList<PaymentApp> Items, int TotalCount)> ListAsync(string tenantId, int page, int pageSize, CancellationToken cancellationToken);

    /// <summary>Replaces name, description, metadata, key (masked and sealed), status and updatedAt; false if there is no such app.</summary>
    Task<bool> UpdateAsync(PaymentApp app, CancellationToken cancellationToken);

    /// <summary>Removes the app and its customer links; false if there was none. Ids of pushed objects stay (they belong to the account).</summary>
    Task<bool> DeleteAsync(string tenantId, string appId, CancellationToken cancellationToken);

    Task<CustomerPaymentLink?> GetLinkAsync(string tenantId, string appId, string customerId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the customer's link for the app.</summary>
    Task UpsertLinkAsync(CustomerPaymentLink link, CancellationToken cancellationToken);
}
