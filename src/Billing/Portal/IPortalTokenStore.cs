namespace Tally.Billing.Portal;

/// <summary>
/// Portal tokens in the ledger. Every process verifies a token by looking its hash up here on each
/// request, so an invalidation takes effect at once everywhere.
/// </summary>
public interface IPortalTokenStore
{
    /// <summary>
    /// Stores <paramref name="token"/> under a new random secret (<see cref="PortalToken.Prefix"/>
    /// followed by 43 base64url characters, 256 bits) and returns the secret, which is not kept.
    /// </summary>
    Task<string> CreateAsync(PortalToken token, CancellationToken cancellationToken);

    /// <summary>The token whose secret is <paramref name="secret"/>, invalidated or expired ones included; null if none.</summary>
    Task<PortalToken?> FindAsync(string secret, CancellationToken cancellationToken);

    /// <summary>The tenant's tokens not invalidated, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<PortalToken>> ListAsync(string tenantId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Invalidates the tenant's tokens that match every filter given (<paramref name="id"/>, <paramref name="subject"/>;
    /// at least one) and returns how many matched, already invalidated ones included.
    /// </summary>
    Task<int> InvalidateAsync(string tenantId, string? id, string? subject, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes the tenant's tokens that expired before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteExpiredAsync(string tenantId, DateTimeOffset before, CancellationToken cancellationToken);
}
