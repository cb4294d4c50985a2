using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;

namespace Tally.Tests.Rating;

/// <summary>Builders for pure rating tests: November 2026, a plan of one rate card on feature <c>f</c>, and its usage.</summary>
internal static class RatingScenario
{
    public static readonly BillingPeriod November = new(2026, 11);
    public static readonly DateTimeOffset From = November.From;
    public static readonly DateTimeOffset To = November.To;

    public static Plan Plan(Currency currency, params RateCard[] cards) => Plan(currency, [new PlanPhase("default", "Default", null, cards)]);

    public static Plan Plan(Currency currency, IReadOnlyList<PlanPhase> phases, string key = "pro", int version = 1) =>
        new("tnt", $"plan_{key}_{version}", key, version, "Pro", currency, IsoDuration.Month, phases, From.AddMonths(-1)) { EffectiveFrom = From.AddMonths(-1) };

    public static RateCard UsageCard(UsagePrice price, Discounts? discounts = null, string feature = "f") =>
        new(RateCardType.UsageBased, feature, feature.ToUpperInvariant(), feature, IsoDuration.Month, price) { Discounts = discounts ?? Discounts.None };

    public static RateCard FlatCard(decimal amount, PaymentTerm term = PaymentTerm.InAdvance, IsoDuration? cadence = null, string key = "base") =>
        new(RateCardType.FlatFee, key, key, null, cadence, new FlatPrice(amount, term));

    public static SubscribedPlan Subscribed(Plan plan, DateTimeOffset? from = null, DateTimeOffset? to = null, string id = "sub_1") =>
        new(new Subscription("tnt", id, "cus_1", plan.Id, plan.Key, plan.Version, plan.Name, plan.Currency, from ?? From.AddMonths(-1), to, From), plan);

    public static Entitlement Metered(string feature = "f", bool soft = false, DateTimeOffset? from = null) =>
        new("tnt", "ent_" + feature, EntitlementType.Metered, "cus_1", "feat_" + feature, feature, from ?? From.AddMonths(-1), null, From.AddMonths(-1))
        {
            UsagePeriod = new RecurringPeriod(IsoDuration.Month, From),
            MeasureUsageFrom = from ?? From.AddMonths(-1),
            IsSoftLimit = soft,
        };

    public static Grant Grant(string id, decimal amount, DateTimeOffset effectiveAt, int priority = 1, GrantExpiration? expiration = null, string entitlement = "ent_f") =>
        new("tnt", id, entitlement, amount, priority, effectiveAt, From.AddMonths(-1)) { Expiration = expiration };

    /// <summary>Rates the period with the usage of each window given by <paramref name="usage"/> (feature, from, to).</summary>
    public static RatedPeriod Rate(RatingInput input, Func<UsageWindow, decimal> usage) =>
        PeriodRating.Rate(input, new MeasuredUsage(PeriodRating.WindowsToMeasure(input).ToDictionary(w => w, usage)));

    /// <summary>The one line of a one-card plan with <paramref name="quantity"/> of usage over the whole month.</summary>
    public static RatedLine Line(UsagePrice price, decimal quantity, Currency? currency = null, Discounts? discounts = null)
    {
        var plan = Plan(currency ?? Currency.Usd, UsageCard(price, discounts));
        var rated = Rate(new RatingInput(plan.Currency, From, To, [Subscribed(plan)], [], []), _ => quantity);
        return Assert.Single(rated.Lines);
    }

    public static TieredPrice Graduated() => new(TierMode.Graduated, [new PriceTier(100m, null, 1m), new PriceTier(200m, 10m, 0.5m), new PriceTier(null, null, 0.25m)]);

    public static TieredPrice Volume() => new(TierMode.Volume, [new PriceTier(100m, null, 1m), new PriceTier(200m, 5m, 0.8m), new PriceTier(null, 20m, 0.5m)]);
}
