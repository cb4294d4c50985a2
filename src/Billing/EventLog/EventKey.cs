using Tally.Billing.Tenants;

namespace Tally.Billing.EventLog;

/// <summary>
/// The log key of a usage event, <c>{tenantId}:{subject}</c>: it keeps one customer's events in one
/// partition and carries the tenant to the aggregator. Tenant ids never contain ':'.
/// </summary>
public static class EventKey
{
    public static string For(string tenantId, string subject) => string.Concat(tenantId, ":", subject);

    /// <summary>The tenant id part of a key, or null for a key Tally did not write.</summary>
    public static string? TenantOf(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? key[..colon] : null;
    }
}
