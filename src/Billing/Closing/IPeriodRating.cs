using Tally.Billing.Customers;
using Tally.Billing.Meters;
using Tally.Billing.Rating;

namespace Tally.Billing.Closing;

/// <summary>
/// Rating as the period close uses it: first what must be measured to bill a customer for a period
/// (its window and the usage of each priced meter), then the pricing of that usage, frozen. The live
/// bill prices with the same rules, so an invoice shows what the customer watched accrue.
/// </summary>
public interface IPeriodRating
{
    /// <summary>
    /// What billing each customer for the close label <paramref name="period"/> needs measured, in the
    /// order given: each subscription's period of that label in the customer's time zone
    /// (<see cref="Calendar.BillingCycle.PeriodOf"/>); customers with nothing to bill under the label
    /// (no subscription in force in its period) are left out.
    /// </summary>
    Task<IReadOnlyList<BillingDemand>> DemandsAsync(string tenantId, IReadOnlyList<Customer> customers, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>The rated period of <paramref name="demand"/> given its usage by <see cref="UsageDemand.Key"/> (absent: zero). Pure.</summary>
    RatedPeriod Rate(BillingDemand demand, IReadOnlyDictionary<string, decimal> usage);
}

/// <summary>
/// A customer's billing for one close label (<see cref="Period"/>): its window [<see cref="From"/>,
/// <see cref="To"/>) (the part of its subscriptions' periods of that label they are in force in), its
/// currency, the plan versions that price it, the usage to measure and the rating input the usage
/// completes, whose [From, To) spans the whole periods (<see cref="DueAt"/>: the latest period end).
/// </summary>
public sealed record BillingDemand(
    Customer Customer,
    BillingPeriod Period,
    DateTimeOffset From,
    DateTimeOffset To,
    Currency Currency,
    string PlanVersion,
    IReadOnlyList<UsageDemand> Usage,
    RatingInput Input)
{
    /// <summary>When the customer's periods of the label have all ended: its close is due then, plus the grace.</summary>
    public DateTimeOffset DueAt => Input.To;
}

/// <summary>
/// One usage total rating needs: a meter's aggregate over the customer's subjects in [<see cref="From"/>,
/// <see cref="To"/>), optionally only some groupBy values. <see cref="Key"/> names the feature and the
/// window, so windows of one feature (a plan change, a grant burn-down reaching back to the last reset) stay apart.
/// </summary>
public sealed record UsageDemand(string Key, string FeatureKey, MeterDefinition Meter, IReadOnlyDictionary<string, IReadOnlyList<string>> FilterGroupBy, DateTimeOffset From, DateTimeOffset To);
