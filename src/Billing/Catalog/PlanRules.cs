using Tally.Billing.Meters;
using Tally.Billing.Pricing;

namespace Tally.Billing.Catalog;

/// <summary>
/// The rules a plan's rate cards must meet against the rest of the catalog: a named feature exists
/// and is not archived; usage prices and metered entitlements need a feature with a meter that
/// exists; metered entitlements need a meter that sums or counts (what grants can burn down).
/// </summary>
public static class PlanRules
{
    public static IReadOnlyList<FieldError> CheckReferences(IReadOnlyList<PlanPhase> phases, Func<string, Feature?> features, Func<string, MeterDefinition?> meters)
    {
        var errors = new List<FieldError>();
        for (var p = 0; p < phases.Count; p++)
        {
            for (var c = 0; c < phases[p].RateCards.Count; c++)
            {
                var card = phases[p].RateCards[c];
                var at = $"phases[{p}].rateCards[{c}]";
                var feature = card.FeatureKey is { } key ? features(key) : null;
                if (card.FeatureKey is not null && feature is null)
                {
                    errors.Add(new FieldError($"{at}.featureKey", $"\"{card.FeatureKey}\" is not one of your features (or it is archived); create it with POST /api/v1/features."));
                    continue;
                }

                var meter = feature?.MeterSlug is { } slug ? meters(slug) : null;
                var needsMeter = card.Price is UsagePrice || card.EntitlementTemplate is MeteredEntitlementTemplate;
                if (needsMeter && card.FeatureKey is null)
                {
                    errors.Add(new FieldError($"{at}.featureKey", "is required: a usage price or a metered entitlement measures a feature's meter."));
                }
                else if (needsMeter && feature is { MeterSlug: null })
                {
                    errors.Add(new FieldError($"{at}.featureKey", $"feature \"{feature.Key}\" has no meter; a usage price or a metered entitlement needs a metered feature."));
                }
                else if (needsMeter && feature is { MeterSlug: { } missing } && meter is null)
                {
                    errors.Add(new FieldError($"{at}.featureKey", $"feature \"{feature.Key}\" measures meter \"{missing}\", which no longer exists."));
                }
                else if (card.EntitlementTemplate is MeteredEntitlementTemplate && meter is { Aggregation: not (MeterAggregation.Sum or MeterAggregation.Count) })
                {
                    errors.Add(new FieldError($"{at}.entitlementTemplate", $"meter \"{meter.Slug}\" aggregates with {meter.Aggregation}; metered entitlements need a SUM or COUNT meter."));
                }
                else if (card.EntitlementTemplate is not null && card.FeatureKey is null)
                {
                    errors.Add(new FieldError($"{at}.featureKey", "is required with an entitlementTemplate: the entitlement is to a feature."));
                }
            }
        }

        return errors;
    }
}
