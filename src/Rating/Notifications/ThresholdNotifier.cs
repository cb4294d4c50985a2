using System.Globalization;
using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Entitlements;
using Tally.Billing.Notifications;
using Tally.Rating.Catalog;
using Tally.Rating.Customers;
using Tally.Rating.Entitlements;
using Tally.Rating.Live;

namespace Tally.Rating.Notifications;

/// <summary>
/// Fires balance-threshold notifications: for each of a customer's metered entitlements in force and
/// each rule on its feature, every threshold its value has reached becomes one event, once per usage
/// period. The ledger stores an event once per dedupe key <c>{rule}/{entitlement}/{period start}/{threshold}</c>,
/// so a grain that fires again after a restart (or two racing activations) still notifies once.
/// </summary>
public sealed class ThresholdNotifier(INotificationStore store, NotificationRulesCache rules, DeliverySignal signal)
{
    /// <summary>Fires what is due; <paramref name="notified"/> holds and receives the keys already fired. True when it fired anything.</summary>
    public async Task<bool> NotifyAsync(CustomerCatalog catalog, DateTimeOffset now, HashSet<string> notified, Func<Entitlement, EntitlementValue> valueOf)
    {
        var tenantRules = await rules.GetAsync(catalog.Customer.TenantId, CancellationToken.None);
        if (tenantRules.Count == 0)
        {
            return false;
        }

        var fired = false;
        foreach (var entitlement in catalog.Entitlements.Where(e => e.Type == EntitlementType.Metered && e.IsActiveAt(now)))
        {
            var applicable = tenantRules.Where(r => r.Covers(entitlement.FeatureId)).ToList();
            if (applicable.Count == 0)
            {
                continue;
            }

            var value = valueOf(entitlement);
            var periodStart = entitlement.CurrentUsagePeriod(now)?.From ?? entitlement.ActiveFrom;
            foreach (var rule in applicable)
            {
                foreach (var threshold in rule.Thresholds.Where(t => t.IsReachedBy(value)))
                {
                    var key = $"{rule.Id}/{entitlement.Id}/{periodStart.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}/{threshold.Key}";
                    if (!notified.Add(key))
                    {
                        continue;
                    }

                    var id = Ids.NewUlid(now);
                    var payload = Payload(id, now, catalog, entitlement, value, threshold);
                    var notification = new NotificationEvent(catalog.Customer.TenantId, id, rule.Id, rule.Type, payload, key, now)
                    {
                        FeatureKey = entitlement.FeatureKey,
                        SubjectKey = catalog.Customer.SubjectKeys.FirstOrDefault(),
                    };
                    await store.CreateEventAsync(notification, rule.ChannelIds, now, CancellationToken.None);
                    fired = true;
                }
            }
        }

        if (fired)
        {
            signal.Wake();
        }

        return fired;
    }

    /// <summary>The webhook body: OpenMeter's <c>entitlements.balance.threshold</c> payload.</summary>
    private static string Payload(string id, DateTimeOffset now, CustomerCatalog catalog, Entitlement entitlement, EntitlementValue value, BalanceThreshold threshold)
    {
        var customer = catalog.Customer;
        var feature = catalog.Features.GetValueOrDefault(entitlement.FeatureKey);
        var subject = customer.SubjectKeys.FirstOrDefault() ?? customer.Key;
        return JsonSerializer.Serialize(
            new
            {
                id,
                type = NotificationRule.BalanceThresholdType,
                timestamp = now.UtcDateTime,
                data = new
                {
                    entitlement = EntitlementResponse.From(entitlement, customer, now, v1: true),
                    feature = feature is null ? null : FeatureResponse.From(feature),
                    subject = new { id = subject, key = subject },
                    customer = CustomerResponse.From(customer),
                    value = new { value.HasAccess, value.Balance, value.Usage, value.Overage, value.TotalAvailableGrantAmount },
                    threshold = new { value = threshold.Value, type = threshold.WireType },
                },
            },
            RatingJson.Options);
    }
}
