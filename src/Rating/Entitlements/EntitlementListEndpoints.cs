using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.ServiceDefaults;

namespace Tally.Rating.Entitlements;

/// <summary>
/// The tenant-wide entitlement and grant lists (v1: plain arrays unless paged; v2: paginated), one
/// entitlement by id, and voiding a grant (<c>DELETE /api/v1/grants/{grantId}</c>, used by both SDK versions).
/// </summary>
public static class EntitlementListEndpoints
{
    public static IEndpointRouteBuilder MapEntitlementLists(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api").RequireAuthorization(TallyClaims.TenantPolicy);
        tenant.MapGet("/v1/entitlements", (HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => ListAsync(context, store, customers, clock, v2: false));
        tenant.MapGet("/v2/entitlements", (HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => ListAsync(context, store, customers, clock, v2: true));
        tenant.MapGet("/v1/entitlements/{entitlementId}", (string entitlementId, HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => GetAsync(entitlementId, context, store, customers, clock, v2: false));
        tenant.MapGet("/v2/entitlements/{entitlementId}", (string entitlementId, HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => GetAsync(entitlementId, context, store, customers, clock, v2: true));
        tenant.MapGet("/v1/grants", (HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => GrantsAsync(context, store, customers, clock, v2: false));
        tenant.MapGet("/v2/grants", (HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => GrantsAsync(context, store, customers, clock, v2: true));
        tenant.MapDelete("/v1/grants/{grantId}", VoidAsync);
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock, bool v2)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var tenantId = context.User.GetTenantId();
        var query = context.Request.Query;
        var now = clock.GetUtcNow();
        var byId = (await customers.ListAsync(tenantId, context.RequestAborted, includeDeleted: true)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        HashSet<string> Set(string name) => query[name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToHashSet(StringComparer.Ordinal);
        var features = Set("feature");
        var types = Set("entitlementType");
        var subjects = Set("subject");
        var customerKeys = Set("customerKeys");
        var customerIds = Set("customerIds");
        var list = (await store.ListAsync(tenantId, query["includeDeleted"] == "true", context.RequestAborted))
            .Where(e => byId.ContainsKey(e.CustomerId))
            .Where(e => features.Count == 0 || features.Contains(e.FeatureKey) || features.Contains(e.FeatureId))
            .Where(e => types.Count == 0 || types.Contains(e.Type.ToString().ToLowerInvariant()))
            .Where(e => subjects.Count == 0 || byId[e.CustomerId].SubjectKeys.Any(subjects.Contains))
            .Where(e => customerKeys.Count == 0 || customerKeys.Contains(byId[e.CustomerId].Key))
            .Where(e => customerIds.Count == 0 || customerIds.Contains(e.CustomerId))
            .Where(e => query["excludeInactive"] != "true" || e.IsActiveAt(now))
            .Select(e => EntitlementResponse.From(e, byId[e.CustomerId], now, v1: !v2))
            .ToList();
        return v2 || paging.Asked ? RatingJson.Ok(paging.Cut(list)) : RatingJson.Ok(list);
    }

    private static async Task<IResult> GetAsync(string entitlementId, HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock, bool v2)
    {
        var tenantId = context.User.GetTenantId();
        if (await store.GetAsync(tenantId, entitlementId, context.RequestAborted) is not { } entitlement)
        {
            return Problems.NotFound("entitlement", entitlementId);
        }

        var customer = (await customers.ListAsync(tenantId, context.RequestAborted, includeDeleted: true)).FirstOrDefault(c => c.Id == entitlement.CustomerId);
        return customer is null
            ? Problems.NotFound("entitlement", entitlementId)
            : RatingJson.Ok(EntitlementResponse.From(entitlement, customer, clock.GetUtcNow(), v1: !v2));
    }

    private static async Task<IResult> GrantsAsync(HttpContext context, IEntitlementStore store, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock, bool v2)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var tenantId = context.User.GetTenantId();
        var query = context.Request.Query;
        var now = clock.GetUtcNow();
        var entitlements = (await store.ListAsync(tenantId, includeDeleted: true, context.RequestAborted)).ToDictionary(e => e.Id, StringComparer.Ordinal);
        var byId = (await customers.ListAsync(tenantId, context.RequestAborted, includeDeleted: true)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        HashSet<string> Set(string name) => query[name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToHashSet(StringComparer.Ordinal);
        var features = Set("feature");
        var owners = Set(v2 ? "customer" : "subject");
        var list = (await store.ListGrantsAsync(tenantId, null, context.RequestAborted))
            .Where(g => query["includeDeleted"] == "true" || g.VoidedAt is null)
            .Where(g => entitlements.ContainsKey(g.EntitlementId))
            .Where(g => features.Count == 0 || features.Contains(entitlements[g.EntitlementId].FeatureKey))
            .Where(g => owners.Count == 0 || (byId.TryGetValue(entitlements[g.EntitlementId].CustomerId, out var c) && (owners.Contains(c.Id) || owners.Contains(c.Key) || c.SubjectKeys.Any(owners.Contains))))
            .Select(g => GrantResponse.From(g, now))
            .ToList();
        return v2 || paging.Asked ? RatingJson.Ok(paging.Cut(list)) : RatingJson.Ok(list);
    }

    private static async Task<IResult> VoidAsync(string grantId, HttpContext context, IEntitlementStore store, IGrainFactory grains, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await store.GetGrantAsync(tenantId, grantId, context.RequestAborted) is not { } grant)
        {
            return Problems.NotFound("grant", grantId);
        }

        if (grant.VoidedAt is not null)
        {
            return RatingJson.Conflict("grantId", $"grant {grant.Id} was voided at {grant.VoidedAt.Value.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}.");
        }

        await store.VoidGrantAsync(tenantId, grant.Id, clock.GetUtcNow(), context.RequestAborted);
        if (await store.GetAsync(tenantId, grant.EntitlementId, context.RequestAborted) is { } entitlement)
        {
            await grains.GetGrain<Live.ICustomerRatingGrain>(RatingKeys.Customer(tenantId, entitlement.CustomerId)).RefreshAsync();
        }

        return Results.NoContent();
    }
}
