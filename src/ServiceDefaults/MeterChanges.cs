namespace Tally.ServiceDefaults;

/// <summary>
/// Tells whoever caches meters in this process that a tenant's meters changed (created, updated,
/// deleted), so a cache refreshes at once instead of when its entry expires. Other processes rely on
/// their caches' short lifetime.
/// </summary>
public sealed class MeterChanges
{
    /// <summary>Raised with the tenant id after a change is stored.</summary>
    public event Action<string>? Changed;

    public void Publish(string tenantId) => Changed?.Invoke(tenantId);
}
