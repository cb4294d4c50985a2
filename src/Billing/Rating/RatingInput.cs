using Tally.Billing.Catalog;
using Tally.Billing.Entitlements;
using Tally.Billing.Subscriptions;

namespace Tally.Billing.Rating;

/// <summary>A subscription with the plan version it is on.</summary>
public sealed record SubscribedPlan(Subscription Subscription, Plan Plan);

/// <summary>
/// Everything the rating of one customer's billing period [<see cref="From"/>, <see cref="To"/>)
/// depends on, except usage: its subscriptions in force (each with its own plan version), its metered
/// entitlements and their grants. One currency: every plan's must be <see cref="Currency"/>.
/// </summary>
public sealed record RatingInput(
    Currency Currency,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<SubscribedPlan> Subscriptions,
    IReadOnlyList<Entitlement> Entitlements,
    IReadOnlyList<Grant> Grants)
{
    /// <summary>The input for one calendar month (the period Tally invoices).</summary>
    public static RatingInput For(BillingPeriod period, Currency currency, IReadOnlyList<SubscribedPlan> subscriptions, IReadOnlyList<Entitlement> entitlements, IReadOnlyList<Grant> grants) =>
        new(currency, period.From, period.To, subscriptions, entitlements, grants);
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
