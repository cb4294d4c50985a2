using System.Collections.Concurrent;

namespace Tally.Rating.Live;

/// <summary>
/// The entitlement values the rating grains of this process hold, readable without a grain call: a value
/// route answers from here and only calls the grain when nothing valid is here. Only a grain writes, and only
/// its own customer's entries: it publishes a value when it computes one and withdraws every value of its
/// customer whenever it forgets them itself (usage applied, catalog reloaded, deactivation), within the same
/// turn, so an entry is never older than the grain's own memory. An entry also carries the instant the value
/// stops being true without any change (a grant expires, a usage period ends): after it, it is not used.
/// Keys are the tenant (from the verified credential), the customer and the feature, so one tenant's request
/// can never read another's entry. Each process reads only what grains activated in it published: with
/// silos clustered over PostgreSQL, a customer whose grain lives in another process is answered by a grain
/// call, and a grain that moves withdraws its entries here as it deactivates.
/// </summary>
public sealed class PublishedEntitlementValues
{
    private readonly ConcurrentDictionary<(string TenantId, string CustomerId, string FeatureKey), PublishedEntitlementValue> _values = new();

    /// <summary>How many values are published (telemetry for tests).</summary>
    public int Count => _values.Count;

    /// <summary>The published value of a customer's entitlement to a feature, when there is one valid at <paramref name="now"/>.</summary>
    public PublishedEntitlementValue? Find(string tenantId, string customerId, string featureKey, DateTimeOffset now) =>
        _values.TryGetValue((tenantId, customerId, featureKey), out var value) && now < value.ValidUntil ? value : null;

    /// <summary>Called by the customer's grain only: its value of an entitlement, true until <paramref name="validUntil"/>.</summary>
    internal void Publish(string tenantId, string customerId, string featureKey, EntitlementValueView value, DateTimeOffset validUntil) =>
        _values[(tenantId, customerId, featureKey)] = new PublishedEntitlementValue(value, validUntil);

    /// <summary>Called by the customer's grain only: withdraws its values of these features.</summary>
    internal void Withdraw(string tenantId, string customerId, IEnumerable<string> featureKeys)
    {
        foreach (var featureKey in featureKeys)
        {
            _values.TryRemove((tenantId, customerId, featureKey), out _);
        }
    }
}

/// <summary>
/// A value as a grain published it, and its response bodies, each serialized once on first use (a race
/// serializes it twice, to the same bytes).
/// </summary>
public sealed class PublishedEntitlementValue(EntitlementValueView value, DateTimeOffset validUntil)
{
    private byte[]? _v1;
    private byte[]? _v2;

    public EntitlementValueView Value { get; } = value;

    public DateTimeOffset ValidUntil { get; } = validUntil;

    /// <summary>The body of the value route: OpenMeter's v2 shape (with grant balances) or v1's.</summary>
    public byte[] Body(bool v2, Func<EntitlementValueView, bool, byte[]> serialize) => v2
        ? _v2 ??= serialize(Value, true)
        : _v1 ??= serialize(Value, false);
}
