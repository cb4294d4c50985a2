using Tally.Billing.Rating;

namespace Tally.Rating.Live;

/// <summary>The live bills, answered by each customer's rating grain.</summary>
public sealed class GrainLiveBills(IGrainFactory grains) : ILiveBills
{
    public Task<RatedPeriod?> CurrentAsync(string tenantId, string customerId, CancellationToken cancellationToken) =>
        grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customerId)).GetBillAsync();
}
