using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Subscriptions;

namespace Tally.Billing.Rating;

/// <summary>A subscription with the plan version it is on.</summary>
public sealed record SubscribedPlan(Subscription Subscription, Plan Plan)
{
    /// <summary>
    /// The billing period [from, to) of its cycle that a rating covers (<see cref="BillingPeriods"/>);
    /// null: the rating input's own [From, To).
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To)? Period { get; init; }
}

/// <summary>
/// Everything the rating of one customer's billing period [<see cref="From"/>, <see cref="To"/>)
/// depends on, except usage: its subscriptions in force (each with its own plan version and, when its
/// cycle differs, its own period within [From, To)), its metered entitlements and their grants. One
/// currency: every plan's must be <see cref="Currency"/>.
/// </summary>
public sealed record RatingInput(
    Currency Currency,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<SubscribedPlan> Subscriptions,
    IReadOnlyList<Entitlement> Entitlements,
    IReadOnlyList<Grant> Grants)
{
    /// <summary>The input for one calendar month in UTC.</summary>
    public static RatingInput For(BillingPeriod period, Currency currency, IReadOnlyList<SubscribedPlan> subscriptions, IReadOnlyList<Entitlement> entitlements, IReadOnlyList<Grant> grants) =>
        new(currency, period.From, period.To, subscriptions, entitlements, grants);

    /// <summary>
    /// The input of subscriptions that carry their periods (<see cref="BillingPeriods"/>): [From, To) spans
    /// them all; with none, it is <paramref name="fallback"/>.
    /// </summary>
    public static RatingInput Spanning(Currency currency, IReadOnlyList<SubscribedPlan> subscriptions, (DateTimeOffset From, DateTimeOffset To) fallback, IReadOnlyList<Entitlement> entitlements, IReadOnlyList<Grant> grants) =>
        subscriptions.Count == 0
            ? new(currency, fallback.From, fallback.To, subscriptions, entitlements, grants)
            : new(currency, subscriptions.Min(s => s.Period!.Value.From), subscriptions.Max(s => s.Period!.Value.To), subscriptions, entitlements, grants);
}

/// <summary>A feature's usage over [<see cref="From"/>, <see cref="To"/>): what a caller of <see cref="PeriodRating"/> measures.</summary>
public readonly record struct UsageWindow(string FeatureKey, DateTimeOffset From, DateTimeOffset To)
{
    public override string ToString() => $"{FeatureKey} [{From.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}, {To.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'})";
}

/// <summary>The usage measured for each window <see cref="PeriodRating.WindowsToMeasure"/> named.</summary>
public sealed class MeasuredUsage(IReadOnlyDictionary<UsageWindow, decimal> quantities)
{
    public static MeasuredUsage None { get; } = new(new Dictionary<UsageWindow, decimal>());

    public IReadOnlyDictionary<UsageWindow, decimal> Quantities { get; } = quantities;

    /// <summary>The usage of a window; a window that was not measured is a caller's mistake.</summary>
    public decimal Of(UsageWindow window) =>
        Quantities.TryGetValue(window, out var quantity)
            ? quantity
            : throw new ArgumentException($"No usage was measured for {window}; measure every window PeriodRating.WindowsToMeasure names.", nameof(window));
}
