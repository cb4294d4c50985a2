namespace Tally.EndToEnd;

/// <summary>Request bodies of OpenMeter's catalog API that several end-to-end scenarios send.</summary>
public static class CatalogBodies
{
    /// <summary>A monthly plan of one never-ending phase with one usage-based rate card: a unit price per unit of <paramref name="feature"/>.</summary>
    public static object UnitPricePlan(string key, string feature, string amount, string currency = "USD") => new
    {
        key,
        name = key,
        currency,
        billingCadence = "P1M",
        phases = new[]
        {
            new
            {
                key = "default",
                name = "Default",
                duration = (string?)null,
                rateCards = new[] { new { type = "usage_based", key = feature, name = feature, featureKey = feature, billingCadence = "P1M", price = new { type = "unit", amount } } },
            },
        },
    };
}
