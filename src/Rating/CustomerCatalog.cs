using Tally.Billing;
using Tally.Billing.Calendar;
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

    /// <summary>The customer's time zone, which its billing periods are cut in.</summary>
    public TimeZoneInfo Zone => TimeZones.Find(Customer.TimeZone);

    /// <summary>The rating input of what the close of <paramref name="label"/> bills: each subscription's period of that label.</summary>
    public RatingInput RatingInputFor(BillingPeriod label) =>
        RatingInput.Spanning(Currency, BillingPeriods.Labelled(Subscriptions, Zone, label), BillingCycle.CalendarMonth(Zone).PeriodOf(label), Entitlements, Grants);

    /// <summary>The rating input of the live bill at <paramref name="now"/>: each subscription's current period.</summary>
    public RatingInput CurrentRatingInput(DateTimeOffset now) =>
        RatingInput.Spanning(Currency, BillingPeriods.Containing(Subscriptions, Zone, now), BillingCycle.CalendarMonth(Zone).Containing(now), Entitlements, Grants);

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
    public async Task<CustomerCatalog?> LoadAsync(string tenantId, string customerIdOrKey, CancellationToken cancellationToken) =>
        await customers.GetAsync(tenantId, customerIdOrKey, cancellationToken) is { } customer
            ? (await LoadManyAsync(tenantId, [customer], cancellationToken))[customer.Id]
            : null;

    /// <summary>
    /// The catalogs of a batch of customers, by customer id, in a fixed number of ledger reads (not one
    /// set per customer): the batch's subscriptions, entitlements and grants, then each plan version,
    /// feature and meter they name once.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CustomerCatalog>> LoadManyAsync(string tenantId, IReadOnlyList<Customer> batch, CancellationToken cancellationToken)
    {
        var ids = batch.Select(c => c.Id).ToArray();
        var subscriptionsByCustomer = (await subscriptions.ListForCustomersAsync(tenantId, ids, cancellationToken)).ToLookup(s => s.CustomerId, StringComparer.Ordinal);
        var entitlementsByCustomer = (await entitlements.ListForCustomersAsync(tenantId, ids, cancellationToken)).ToLookup(e => e.CustomerId, StringComparer.Ordinal);
        var metered = entitlementsByCustomer.SelectMany(g => g).Where(e => e.Type == EntitlementType.Metered).Select(e => e.Id).ToArray();
        var grantsByEntitlement = (await entitlements.ListGrantsOfAsync(tenantId, metered, cancellationToken)).ToLookup(g => g.EntitlementId, StringComparer.Ordinal);
        var planVersions = new Dictionary<string, Plan>(StringComparer.Ordinal);
        foreach (var planId in subscriptionsByCustomer.SelectMany(g => g).Select(s => s.PlanId).Distinct(StringComparer.Ordinal))
        {
            planVersions[planId] = await plans.GetAsync(tenantId, planId, cancellationToken)
                ?? throw new InvalidOperationException($"A subscription is on plan version {planId}, which is not in the ledger.");
        }

        var allFeatures = await features.ListAsync(tenantId, cancellationToken);
        var meterCache = new Dictionary<string, MeterDefinition?>(StringComparer.Ordinal);
        var catalogs = new Dictionary<string, CustomerCatalog>(StringComparer.Ordinal);
        foreach (var customer in batch)
        {
            var subscribed = subscriptionsByCustomer[customer.Id].Select(s => new SubscribedPlan(s, planVersions[s.PlanId])).ToList();
            var granted = entitlementsByCustomer[customer.Id].ToList();
            var grants = granted.Where(e => e.Type == EntitlementType.Metered).SelectMany(e => grantsByEntitlement[e.Id]).ToList();
            var featureKeys = subscribed.SelectMany(s => s.Plan.RateCards).Select(card => card.FeatureKey)
                .Concat(granted.Select(e => e.FeatureKey))
                .OfType<string>()
                .ToHashSet(StringComparer.Ordinal);
            var measured = new Dictionary<string, MeterDefinition>(StringComparer.Ordinal);
            var used = new Dictionary<string, Feature>(StringComparer.Ordinal);
            foreach (var key in featureKeys)
            {
                // The feature a card or entitlement names: the active one with the key, else the newest archived one.
                var feature = allFeatures.Where(f => f.Key == key).OrderBy(f => f.ArchivedAt is null ? 0 : 1).ThenByDescending(f => f.CreatedAt).FirstOrDefault();
                if (feature is null)
                {
                    continue;
                }

                used[key] = feature;
                if (feature.MeterSlug is { } slug)
                {
                    if (!meterCache.TryGetValue(slug, out var meter))
                    {
                        meter = meterCache[slug] = await meters.GetAsync(tenantId, slug, cancellationToken);
                    }

                    if (meter is not null)
                    {
                        measured[key] = feature.Measure(meter);
                    }
                }
            }

            catalogs[customer.Id] = new CustomerCatalog(customer, subscribed, granted, grants, used, measured);
        }

        return catalogs;
    }
}
