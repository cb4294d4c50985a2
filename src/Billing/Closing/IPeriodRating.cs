using Tally.Billing.Customers;
using Tally.Billing.Meters;

namespace Tally.Billing.Closing;

/// <summary>
/// Rating as the period close uses it: first what must be measured to bill a customer for a period
/// (its window and the usage of each priced meter), then the pricing of that usage, frozen. The live
/// bill prices with the same rules, so an invoice shows what the customer watched accrue.
/// </summary>
public interface IPeriodRating
{
    /// <summary>
    /// What billing each customer for <paramref name="period"/> needs measured, in the order given;
    /// customers with nothing to bill in the period (no subscription in force) are left out.
    /// </summary>
    Task<IReadOnlyList<BillingDemand>> DemandsAsync(string tenantId, IReadOnlyList<Customer> customers, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>The priced lines of <paramref name="demand"/> given its usage by <see cref="UsageDemand.Key"/> (absent: zero). Pure.</summary>
    RatedPeriod Rate(BillingDemand demand, IReadOnlyDictionary<string, decimal> usage);
}

/// <summary>
/// A customer's billing for one period: its window [<see cref="From"/>, <see cref="To"/>) (the part of
/// the period its subscription covers), its currency, the plan version that prices it and the usage to measure.
/// </summary>
public sealed record BillingDemand(
    Customer Customer,
    BillingPeriod Period,
    DateTimeOffset From,
    DateTimeOffset To,
    Currency Currency,
    string PlanVersion,
    IReadOnlyList<UsageDemand> Usage)
{
    /// <summary>The rating implementation's own pricing inputs (the plan version), carried from demand to rating.</summary>
    public object? Pricing { get; init; }
}

/// <summary>One usage total rating needs: a meter's aggregate over the customer's subjects, optionally only some groupBy values.</summary>
public sealed record UsageDemand(string Key, MeterDefinition Meter, IReadOnlyDictionary<string, IReadOnlyList<string>> FilterGroupBy);

/// <summary>A rated period: lines rounded to the currency, and their sum.</summary>
public sealed record RatedPeriod(IReadOnlyList<RatedPeriodLine> Lines, decimal Total);

/// <summary>One priced line; <see cref="Key"/> is stable for what it prices (the rate card).</summary>
public sealed record RatedPeriodLine(string Key, string Description, string? RateCardKey, string? UsageKey, string? MeterSlug, decimal Quantity, decimal? UnitPrice, decimal Amount, string? Detail);
