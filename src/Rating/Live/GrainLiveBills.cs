using Tally.Billing.Rating;

namespace Tally.Rating.Live;

/// <summary>The live bills, answered by each customer's rating grain.</summary>
public sealed class GrainLiveBills(IGrainFactory grains) : ILiveBills
{
    public async Task<RatedPeriod?> CurrentAsync(string tenantId, string customerId, CancellationToken cancellationToken) =>
        (await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customerId)).GetBillAsync()).Value;
}
