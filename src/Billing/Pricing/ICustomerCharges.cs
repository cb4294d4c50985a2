using Tally.Billing.Customers;
using Tally.Billing.Rating;

namespace Tally.Billing.Pricing;

/// <summary>
/// What a customer owes for a billing period under its subscriptions, rated by
/// <see cref="PeriodRating"/> over usage read from the usage store: period close asks it for a
/// closed period, so invoices are rated with exactly the code of the live bill.
/// </summary>
public interface ICustomerCharges
{
    /// <summary>The charges, or null when the customer does not exist or has no subscription in the period.</summary>
    Task<CustomerCharges?> CalculateAsync(string tenantId, string customerIdOrKey, BillingPeriod period, CancellationToken cancellationToken);
}

/// <summary>A customer's rated period.</summary>
public sealed record CustomerCharges(Customer Customer, BillingPeriod Period, RatedPeriod Rated)
{
    public IReadOnlyList<RatedLine> Lines => Rated.Lines;

    public Money Total => Rated.Total;
}
