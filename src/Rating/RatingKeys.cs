namespace Tally.Rating;

/// <summary>Grain keys of the rating stage.</summary>
public static class RatingKeys
{
    /// <summary>The rating grain of a customer: <c>{tenantId}/{customerId}</c>.</summary>
    public static string Customer(string tenantId, string customerId) => $"{tenantId}/{customerId}";
}
