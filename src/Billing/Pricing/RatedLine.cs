using Tally.Billing.Catalog;
using Tally.Billing.Customers;

namespace Tally.Billing.Pricing;

/// <summary>One rate card applied to a quantity of usage; <see cref="Amount"/> is rounded to the currency.</summary>
public sealed record RatedLine(string RateCardKey, string MeterSlug, decimal Quantity, decimal UnitPrice, Money Amount);

/// <summary>A customer's charges for a period under one plan.</summary>
public sealed record CustomerCharges(Customer Customer, Plan Plan, BillingPeriod Period, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<RatedLine> Lines, Money Total);
