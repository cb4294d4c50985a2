using System.Security.Claims;

namespace Tally.ServiceDefaults;

/// <summary>Claims and policies of Tally's two kinds of callers: tenants (API key) and operators (admin token).</summary>
public static class TallyClaims
{
    public const string Scheme = "TallyBearer";
    public const string TenantId = "tally:tenant";
    public const string TenantPolicy = "tenant";
    public const string AdminPolicy = "admin";
    public const string AdminRole = "tally-admin";

    /// <summary>The tenant's own ingest requests-per-second limit, when the admin API set one.</summary>
    public const string RequestsPerSecond = "tally:requests-per-second";

    /// <summary>The tenant's own ingest events-per-second limit, when the admin API set one.</summary>
    public const string EventsPerSecond = "tally:events-per-second";

    /// <summary>The authenticated tenant's id; endpoints behind <see cref="TenantPolicy"/> always have one.</summary>
    public static string GetTenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(TenantId) ?? throw new InvalidOperationException("The request is not authenticated as a tenant.");
}
