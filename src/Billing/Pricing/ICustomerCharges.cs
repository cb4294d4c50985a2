namespace Tally.Billing.Pricing;

/// <summary>
/// What a customer owes for a period under its subscription: the live bill asks it for the current
/// period, period close for a closed one, so both price with the same code.
/// </summary>
public interface ICustomerCharges
{
    /// <summary>The charges, or null when the customer does not exist or has no subscription in the period.</summary>
    Task<CustomerCharges?> CalculateAsync(string tenantId, string customerIdOrKey, BillingPeriod period, CancellationToken cancellationToken);
}
