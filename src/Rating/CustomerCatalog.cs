using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Billing.Meters;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;

namespace Tally.Rating;

/// <summary>
/// Everything about one customer that rating reads from the ledger: its subscriptions with their plan
/// versions, its entitlements and their grants, and each feature's meter narrowed by the feature's filters.
/// </summary>
public sealed record CustomerCatalog(
    Customer Customer,
    IReadOnlyList<SubscribedPlan> Subscriptions,
    IReadOnlyList<Entitlement> Entitlements,
    IReadOnlyList<Grant> Grants,
    IReadOnlyDictionary<string, Feature> Features,
    IReadOnlyDictionary<string, MeterDefinition> MetersByFeature)
{
    /// <summary>The customer's currency: its own, else its first subscription's, else USD.</summary>
    public Currency Currency => Customer.Currency ?? Subscriptions.FirstOrDefault()?.Plan.Currency ?? Currency.Usd;

    /// <summary>The rating input of the period [from, to).</summary>
    public RatingInput RatingInput(DateTimeOffset from, DateTimeOffset to) =>
        new(Currency, from, to, [.. Subscriptions.Where(s => s.Subscription.Overlaps(from, to))], Entitlements, Grants);

    /// <summary>The entitlement to <paramref name="featureKey"/> in force at <paramref name="at"/> (else the latest one), or null.</summary>
    public Entitlement? EntitlementFor(string featureKey, DateTimeOffset at) =>
        Entitlements.Where(e => e.FeatureKey == featureKey && e.DeletedAt is null).OrderByDescending(e => e.IsActiveAt(at)).ThenByDescending(e => e.ActiveFrom).FirstOrDefault();

    public IReadOnlyList<Grant> GrantsOf(Entitlement entitlement) => [.. Grants.Where(g => g.EntitlementId == entitlement.Id)];
}

/// <summary>Loads a <see cref="CustomerCatalog"/> from the ledger.</summary>
public sealed class CustomerCatalogLoader(
    ICustomerStore customers,
    ISubscriptionStore subscriptions,
    IPlanStore plans,
    IEntitlementStore entitlements,
    IFeatureStore features,
    IMeterStore meters)
{
    /// <summary>The catalog of the customer with this id or key, or null when there is none.</summary>
    public async Task<CustomerCatalog?> LoadAsync(string tenantId, string customerIdOrKey, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(tenantId, customerIdOrKey, cancellationToken);
        if (customer is null)
        {
            return null;
        }

        var subscribed = new List<SubscribedPlan>();
        foreach (var subscription in await subscriptions.ListForCustomerAsync(tenantId, customer.Id, cancellationToken))
        {
            var plan = await plans.GetAsync(tenantId, subscription.PlanId, cancellationToken)
                ?? throw new InvalidOperationException($"Subscription {subscription.Id} is on plan version {subscription.PlanId}, which is not in the ledger.");
            subscribed.Add(new SubscribedPlan(subscription, plan));
        }

        var granted = await entitlements.ListForCustomerAsync(tenantId, customer.Id, includeDeleted: false, cancellationToken);
        var grants = new List<Grant>();
        foreach (var entitlement in granted.Where(e => e.Type == EntitlementType.Metered))
        {
            grants.AddRange(await entitlements.ListGrantsAsync(tenantId, entitlement.Id, cancellationToken));
        }

        var featureKeys = subscribed.SelectMany(s => s.Plan.RateCards).Select(card => card.FeatureKey)
            .Concat(granted.Select(e => e.FeatureKey))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var metered = new Dictionary<string, MeterDefinition>(StringComparer.Ordinal);
        var used = new Dictionary<string, Feature>(StringComparer.Ordinal);
        var allFeatures = await features.ListAsync(tenantId, cancellationToken);
        foreach (var key in featureKeys)
        {
            // The feature a card or entitlement names: the active one with the key, else the newest archived one.
            var feature = allFeatures.Where(f => f.Key == key).OrderBy(f => f.ArchivedAt is null ? 0 : 1).ThenByDescending(f => f.CreatedAt).FirstOrDefault();
            if (feature is null)
            {
                continue;
            }

            used[key] = feature;
            if (feature.MeterSlug is { } slug && await meters.GetAsync(tenantId, slug, cancellationToken) is { } meter)
            {
                metered[key] = feature.Measure(meter);
            }
        }

        return new CustomerCatalog(customer, subscribed, granted, grants, used, metered);
    }
}
