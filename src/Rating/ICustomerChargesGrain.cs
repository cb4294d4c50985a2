using Tally.Billing;

namespace Tally.Rating;

/// <summary>
/// A customer's live bill, one grain per customer, keyed <c>{tenantId}/{customerId}</c>. It answers
/// the running charges of the current period and keeps them briefly so dashboards polling every
/// second do not each query ClickHouse.
/// </summary>
public interface ICustomerChargesGrain : IGrainWithStringKey
{
    Task<ChargesSnapshot?> GetCurrentAsync();
}

/// <summary>The running charges of a customer in the current period.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ChargesSnapshot(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] string CustomerKey,
    [property: Id(2)] string PlanKey,
    [property: Id(3)] string Currency,
    [property: Id(4)] DateTime PeriodFrom,
    [property: Id(5)] DateTime PeriodTo,
    [property: Id(6)] IReadOnlyList<ChargeLine> Lines,
    [property: Id(7)] decimal Total,
    [property: Id(8)] DateTime CalculatedAt);

/// <summary>One priced meter of a <see cref="ChargesSnapshot"/>.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ChargeLine(
    [property: Id(0)] string RateCardKey,
    [property: Id(1)] string MeterSlug,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] decimal UnitPrice,
    [property: Id(4)] decimal Amount);
