using Tally.Billing.Entitlements;
using Tally.Billing.Usage;
using Tally.Rating.Live;

namespace Tally.Rating.Entitlements;

/// <summary>
/// Entitlement values at a past instant and balance history, from the usage store (the grain answers
/// the present): the same burn-down, over usage read with <see cref="IUsageReader"/> per window.
/// </summary>
public sealed class EntitlementHistory(CustomerCatalogLoader catalogs, IUsageReader usage)
{
    public const int MaxWindows = 1000;

    /// <summary>The burn-down of the entitlement from where it must start up to <paramref name="until"/>, cut also at <paramref name="cuts"/>.</summary>
    public async Task<(CustomerCatalog Catalog, BurnDownResult BurnDown)?> BurnDownAsync(
        string tenantId, Entitlement entitlement, DateTimeOffset from, DateTimeOffset until, IReadOnlyList<DateTimeOffset> cuts, CancellationToken cancellationToken)
    {
        if (await catalogs.LoadAsync(tenantId, entitlement.CustomerId, cancellationToken) is not { } catalog)
        {
            return null;
        }

        var grants = catalog.GrantsOf(entitlement);
        var measured = new Dictionary<(DateTimeOffset, DateTimeOffset), decimal>();
        foreach (var window in GrantBurnDown.Windows(entitlement, grants, from, until, cuts))
        {
            measured[window] = catalog.MetersByFeature.TryGetValue(entitlement.FeatureKey, out var meter)
                ? await usage.GetTotalAsync(meter, catalog.Customer.SubjectKeys, window.From, window.To, cancellationToken)
                : 0m;
        }

        return (catalog, GrantBurnDown.Run(entitlement, grants, from, until, (f, t) => measured.GetValueOrDefault((f, t)), cuts));
    }

    public async Task<EntitlementValueView?> ValueAtAsync(string tenantId, Entitlement entitlement, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (entitlement.Type != EntitlementType.Metered || !entitlement.IsActiveAt(at))
        {
            return EntitlementValueView.From(entitlement, EntitlementValue.Of(entitlement, at, new BurnDownResult([], new Dictionary<string, decimal>(), at, 0m, 0m)));
        }

        return await BurnDownAsync(tenantId, entitlement, at, at, [], cancellationToken) is { } result
            ? EntitlementValueView.From(entitlement, EntitlementValue.Of(entitlement, at, result.BurnDown))
            : null;
    }
}
