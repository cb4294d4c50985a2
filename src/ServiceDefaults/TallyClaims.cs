using System.Security.Claims;

namespace Tally.ServiceDefaults;

/// <summary>
/// Claims and policies of Tally's three kinds of callers: tenants (API key), operators (admin token) and
/// a tenant's customers' dashboards (portal token). A portal principal carries its tenant under a claim
/// of its own, so it can never satisfy <see cref="TenantPolicy"/>.
/// </summary>
public static class TallyClaims
{
    public const string Scheme = "TallyBearer";
    public const string TenantId = "tally:tenant";
    public const string TenantPolicy = "tenant";
    public const string AdminPolicy = "admin";
    public const string AdminRole = "tally-admin";
    public const string PortalScheme = "TallyPortal";
    public const string PortalPolicy = "portal";
    public const string PortalTenantId = "tally:portal-tenant";
    public const string PortalSubject = "tally:portal-subject";
    public const string PortalTokenId = "tally:portal-token";

    /// <summary>The tenant's own ingest requests-per-second limit, when the admin API set one.</summary>
    public const string RequestsPerSecond = "tally:requests-per-second";

    /// <summary>The tenant's own ingest events-per-second limit, when the admin API set one.</summary>
    public const string EventsPerSecond = "tally:events-per-second";

    /// <summary>The authenticated tenant's id; endpoints behind <see cref="TenantPolicy"/> always have one.</summary>
    public static string GetTenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(TenantId) ?? throw new InvalidOperationException("The request is not authenticated as a tenant.");

    /// <summary>The portal token's tenant; endpoints behind <see cref="PortalPolicy"/> always have one.</summary>
    public static string GetPortalTenantId(this ClaimsPrincipal user) =>
        user.FindFirstValue(PortalTenantId) ?? throw new InvalidOperationException("The request is not authenticated with a portal token.");

    /// <summary>The one subject the portal token reads.</summary>
    public static string GetPortalSubject(this ClaimsPrincipal user) =>
        user.FindFirstValue(PortalSubject) ?? throw new InvalidOperationException("The request is not authenticated with a portal token.");
}
