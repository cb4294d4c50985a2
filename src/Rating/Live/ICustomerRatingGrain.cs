using Orleans.Concurrency;
using Tally.Billing.Entitlements;
using Tally.Billing.Rating;
using Tally.Billing.Usage;

namespace Tally.Rating.Live;

/// <summary>
/// One customer's live rating, one activation per customer across the cluster (key
/// <c>{tenantId}/{customerId}</c>): its subscriptions in force, its usage so far per feature (kept
/// current by usage deltas, never by querying events per call), the running bill of the current
/// period, grant balances and entitlement values.
/// </summary>
public interface ICustomerRatingGrain : IGrainWithStringKey
{
    /// <summary>
    /// The current billing period rated so far (each subscription's period containing now, on its cycle in
    /// the customer's time zone); null when the customer has no subscription in it (or does not exist). Immutable: the grain keeps the bill until the next change and callers only read it, so
    /// Orleans hands it over without a copy (a copy is a JSON round trip of every line).
    /// </summary>
    Task<Immutable<RatedPeriod?>> GetBillAsync();

    /// <summary>The value of the customer's entitlement to a feature now; null when it has none.</summary>
    Task<EntitlementValueView?> GetEntitlementValueAsync(string featureKey);

    /// <summary>Every entitlement's value now, by feature key.</summary>
    Task<Dictionary<string, EntitlementValueView>> GetAccessAsync();

    /// <summary>Folds usage deltas in, each event once (by its subject, log partition and position); the caller does not touch them afterwards, so they are not copied.</summary>
    Task ApplyUsageAsync(Immutable<IReadOnlyList<UsageDelta>> deltas);

    /// <summary>Reloads the catalog and the usage snapshot (after a subscription, entitlement, grant or customer changed).</summary>
    Task RefreshAsync();

    /// <summary>A rough size of what the grain holds, in bytes, for the memory report.</summary>
    Task<long> ApproximateBytesAsync();
}

/// <summary>An entitlement value as the grain answers it (immutable, so a local call copies nothing).</summary>
[GenerateSerializer]
[Immutable]
public sealed record EntitlementValueView(
    [property: Id(0)] bool HasAccess,
    [property: Id(1)] decimal? Balance,
    [property: Id(2)] decimal? Usage,
    [property: Id(3)] decimal? Overage,
    [property: Id(4)] decimal? TotalAvailableGrantAmount,
    [property: Id(5)] string? Config,
    [property: Id(6)] Dictionary<string, decimal>? GrantBalances,
    [property: Id(7)] string EntitlementId,
    [property: Id(8)] string Type)
{
    public static EntitlementValueView From(Entitlement entitlement, EntitlementValue value) => new(
        value.HasAccess,
        value.Balance,
        value.Usage,
        value.Overage,
        value.TotalAvailableGrantAmount,
        value.Config,
        value.GrantBalances is null ? null : new Dictionary<string, decimal>(value.GrantBalances, StringComparer.Ordinal),
        entitlement.Id,
        entitlement.Type.ToString().ToLowerInvariant());
}

/// <summary>What the rating grain keeps in storage: the thresholds already notified, so each fires once per usage period.</summary>
[GenerateSerializer]
public sealed class RatingGrainState
{
    /// <summary>Keys <c>{rule}/{entitlement}/{usage period start}/{threshold}</c>.</summary>
    [Id(0)]
    public HashSet<string> Notified { get; set; } = new(StringComparer.Ordinal);
}
