namespace Tally.Billing.Entitlements;

/// <summary>
/// A customer's access to a feature at an instant (OpenMeter's <c>EntitlementValue</c>): boolean and
/// static entitlements give access while in force (static ones with their config); a metered one gives
/// access while its grants hold a balance, or always with a soft limit, and reports the usage since
/// the last reset, the overage no grant covered, and each grant's balance.
/// </summary>
public sealed record EntitlementValue(
    bool HasAccess,
    decimal? Balance,
    decimal? Usage,
    decimal? Overage,
    decimal? TotalAvailableGrantAmount,
    string? Config,
    IReadOnlyDictionary<string, decimal>? GrantBalances)
{
    public static EntitlementValue NoAccess { get; } = new(false, null, null, null, null, null, null);

    /// <summary>The value of <paramref name="entitlement"/> at <paramref name="at"/>; <paramref name="burnDown"/> is its burn-down up to then (metered only).</summary>
    public static EntitlementValue Of(Entitlement entitlement, DateTimeOffset at, BurnDownResult? burnDown)
    {
        if (!entitlement.IsActiveAt(at))
        {
            return entitlement.Type == EntitlementType.Metered
                ? new EntitlementValue(false, 0m, 0m, 0m, 0m, null, new Dictionary<string, decimal>())
                : NoAccess;
        }

        return entitlement.Type switch
        {
            EntitlementType.Boolean => new EntitlementValue(true, null, null, null, null, null, null),
            EntitlementType.Static => new EntitlementValue(true, null, null, null, null, entitlement.Config, null),
            _ when burnDown is null => throw new ArgumentNullException(nameof(burnDown), "A metered entitlement's value needs its burn-down."),
            _ => new EntitlementValue(
                entitlement.IsSoftLimit || burnDown.Balance > 0m,
                burnDown.Balance,
                burnDown.UsageSinceReset,
                burnDown.OverageSinceReset,
                burnDown.Balance + burnDown.UsageSinceReset - burnDown.OverageSinceReset,
                null,
                burnDown.Balances),
        };
    }
}
