using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Notifications;

namespace Tally.Rating.Notifications;

/// <summary>
/// Each tenant's active balance-threshold rules, read from the ledger at most every few seconds: every
/// usage delta checks them, and a rule saved in this process is seen at once (in another, within the expiry).
/// </summary>
public sealed class NotificationRulesCache(INotificationStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (DateTimeOffset ReadAt, IReadOnlyList<NotificationRule> Rules)> _byTenant = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<NotificationRule>> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_byTenant.TryGetValue(tenantId, out var cached) && now - cached.ReadAt < Expiry)
        {
            return cached.Rules;
        }

        IReadOnlyList<NotificationRule> rules = [.. (await store.ListRulesAsync(tenantId, cancellationToken))
            .Where(r => r.DeletedAt is null && !r.Disabled && r.Type == NotificationRule.BalanceThresholdType)];
        _byTenant[tenantId] = (now, rules);
        return rules;
    }

    public void Forget(string tenantId) => _byTenant.TryRemove(tenantId, out _);
}

/// <summary>Wakes the webhook dispatcher when there is something to deliver.</summary>
public sealed class DeliverySignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
