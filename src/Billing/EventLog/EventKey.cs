using Tally.Billing.Events;

namespace Tally.Billing.EventLog;

/// <summary>
/// The log key of a usage event, <c>{tenantId}:{source}:{id}</c>: its identity, so every copy of an
/// event (a retry, a re-send days later) lands in the same partition and one aggregator alone decides
/// whether it is new. The key also carries the tenant to the aggregator; tenant ids never contain ':'.
/// </summary>
public static class EventKey
{
    public static string For(EventIdentity identity) => string.Concat(identity.TenantId, ":", identity.Source, ":", identity.Id);

    /// <summary>The tenant id part of a key, or null for a key Tally did not write.</summary>
    public static string? TenantOf(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? key[..colon] : null;
    }
}
