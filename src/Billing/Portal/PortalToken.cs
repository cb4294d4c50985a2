namespace Tally.Billing.Portal;

/// <summary>
/// A short-lived, read-only credential a tenant hands one of its customers' dashboards (OpenMeter's
/// portal token): it reads the usage of one <see cref="Subject"/>, of the meters in
/// <see cref="AllowedMeterSlugs"/> (every meter when empty), until <see cref="ExpiresAt"/> or until
/// it is invalidated. The secret itself is never stored, only its hash.
/// </summary>
public sealed record PortalToken(
    string TenantId,
    string Id,
    string Subject,
    IReadOnlyList<string> AllowedMeterSlugs,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt)
{
    /// <summary>What every portal token starts with; tenant API keys (<c>tly_</c>) never do.</summary>
    public const string Prefix = "tpt_";

    /// <summary>When the tenant invalidated it; null while it is valid.</summary>
    public DateTimeOffset? InvalidatedAt { get; init; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt <= now;

    /// <summary>True when the token may read <paramref name="meterSlug"/>.</summary>
    public bool Allows(string meterSlug) =>
        AllowedMeterSlugs.Count == 0 || AllowedMeterSlugs.Contains(meterSlug, StringComparer.Ordinal);

    /// <summary>True when <paramref name="credential"/> has the shape of a portal token (not whether it is valid).</summary>
    public static bool LooksLikeOne(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);
}
