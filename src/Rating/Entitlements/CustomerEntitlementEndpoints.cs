using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Billing.Meters;
using Tally.Rating.Customers;
using Tally.Rating.Live;
using Tally.Rating.Subscriptions;
using Tally.ServiceDefaults;

namespace Tally.Rating.Entitlements;

/// <summary>
/// A customer's entitlements and grants: OpenMeter's v2 routes under
/// <c>/api/v2/customers/{customer}/entitlements</c> and the v1 subject routes under
/// <c>/api/v1/subjects/{subject}/entitlements</c> (same behaviour, v1 shapes: plain arrays, subjectKey).
/// Values of the present come from the customer's rating grain; with <c>time</c>, from the usage store.
/// </summary>
public static class CustomerEntitlementEndpoints
{
    public static IEndpointRouteBuilder MapCustomerEntitlements(this IEndpointRouteBuilder routes)
    {
        Map(routes.MapGroup("/api/v2/customers/{owner}/entitlements").RequireAuthorization(TallyClaims.TenantPolicy), bySubject: false);
        Map(routes.MapGroup("/api/v1/subjects/{owner}/entitlements").RequireAuthorization(TallyClaims.TenantPolicy), bySubject: true);
        var v1 = routes.MapGroup("/api/v1/customers/{owner}").RequireAuthorization(TallyClaims.TenantPolicy);
        v1.MapGet("/entitlements/{entitlement}/value", (string owner, string entitlement, HttpContext context, Deps deps) => ValueAsync(owner, entitlement, context, deps, bySubject: false, v2: false));
        v1.MapGet("/access", AccessAsync);
        return routes;
    }

    private static void Map(RouteGroupBuilder group, bool bySubject)
    {
        var v2 = !bySubject;
        group.MapPost("", (string owner, HttpContext context, Deps deps) => CreateAsync(owner, context, deps, bySubject, null));
        group.MapGet("", (string owner, HttpContext context, Deps deps) => ListAsync(owner, context, deps, bySubject));
        group.MapGet("/{entitlement}", (string owner, string entitlement, HttpContext context, Deps deps) => GetAsync(owner, entitlement, context, deps, bySubject));
        group.MapDelete("/{entitlement}", (string owner, string entitlement, HttpContext context, Deps deps) => DeleteAsync(owner, entitlement, context, deps, bySubject));
        group.MapPut("/{entitlement}/override", (string owner, string entitlement, HttpContext context, Deps deps) => CreateAsync(owner, context, deps, bySubject, entitlement));
        group.MapGet("/{entitlement}/grants", (string owner, string entitlement, HttpContext context, Deps deps) => GrantsAsync(owner, entitlement, context, deps, bySubject));
        group.MapPost("/{entitlement}/grants", (string owner, string entitlement, HttpContext context, Deps deps) => GrantAsync(owner, entitlement, context, deps, bySubject));
        group.MapGet("/{entitlement}/value", (string owner, string entitlement, HttpContext context, Deps deps) => ValueAsync(owner, entitlement, context, deps, bySubject, v2));
        group.MapGet("/{entitlement}/history", (string owner, string entitlement, HttpContext context, Deps deps) => EntitlementHistoryEndpoint.HistoryAsync(owner, entitlement, context, deps, bySubject));
        group.MapPost("/{entitlement}/reset", (string owner, string entitlement, HttpContext context, Deps deps) => ResetAsync(owner, entitlement, context, deps, bySubject));
    }

    private static async Task<IResult> CreateAsync(string owner, HttpContext context, Deps deps, bool bySubject, string? replacing)
    {
        var tenantId = context.User.GetTenantId();
        var now = deps.Clock.GetUtcNow();
        if (await EntitlementLookup.CustomerAsync(deps.Customers, tenantId, owner, bySubject, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound(bySubject ? "subject" : "customer", owner);
        }

        Entitlement? previous = null;
        if (replacing is not null && (previous = await EntitlementLookup.EntitlementAsync(deps.Entitlements, customer, replacing, now, context.RequestAborted)) is null)
        {
            return Problems.NotFound("entitlement", replacing);
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var errors = body.Errors;
        var fields = body.Fields;
        if (body.Root.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return Problems.Validation("body", "must be a JSON object such as {\"type\": \"metered\", \"featureKey\": \"api_calls\", \"usagePeriod\": {\"interval\": \"MONTH\"}}.");
        }

        var feature = await EntitlementBody.FeatureAsync(body.Root, deps.Features, deps.Meters, tenantId, fields, context.RequestAborted);
        var (entitlement, grants) = EntitlementBody.Read(body.Root, customer, feature, now, v2: !bySubject, fields);
        if (entitlement is null)
        {
            return Problems.Validation(errors);
        }

        if (previous is not null && previous.FeatureKey != entitlement.FeatureKey)
        {
            return Problems.Validation("featureKey", $"is {entitlement.FeatureKey}; an override replaces the entitlement to {previous.FeatureKey} with one to the same feature.");
        }

        try
        {
            await deps.Entitlements.CreateAsync(entitlement, grants, previous, context.RequestAborted);
        }
        catch (LedgerConflictException conflict)
        {
            return RatingJson.Conflict(conflict.Field, conflict.Message);
        }

        await deps.RefreshAsync(tenantId, customer.Id);
        return RatingJson.Created($"{context.Request.Path}/{entitlement.Id}", EntitlementResponse.From(entitlement, customer, now, v1: bySubject));
    }

    private static async Task<IResult> ListAsync(string owner, HttpContext context, Deps deps, bool bySubject)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var tenantId = context.User.GetTenantId();
        if (await EntitlementLookup.CustomerAsync(deps.Customers, tenantId, owner, bySubject, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound(bySubject ? "subject" : "customer", owner);
        }

        var now = deps.Clock.GetUtcNow();
        var list = (await deps.Entitlements.ListForCustomerAsync(tenantId, customer.Id, context.Request.Query["includeDeleted"] == "true", context.RequestAborted))
            .Select(e => EntitlementResponse.From(e, customer, now, v1: bySubject))
            .ToList();
        if (context.Request.Query["order"] == "DESC")
        {
            list.Reverse();
        }

        return bySubject ? RatingJson.Ok(list) : RatingJson.Ok(paging.Cut(list));
    }

    private static async Task<IResult> GetAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject)
    {
        var (customer, entitlement, missing) = await FindAsync(owner, reference, context, deps, bySubject);
        return missing ?? RatingJson.Ok(EntitlementResponse.From(entitlement!, customer!, deps.Clock.GetUtcNow(), v1: bySubject));
    }

    private static async Task<IResult> DeleteAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject)
    {
        var (customer, entitlement, missing) = await FindAsync(owner, reference, context, deps, bySubject);
        if (missing is not null)
        {
            return missing;
        }

        await deps.Entitlements.DeleteAsync(customer!.TenantId, entitlement!.Id, deps.Clock.GetUtcNow(), context.RequestAborted);
        await deps.RefreshAsync(customer.TenantId, customer.Id);
        return Results.NoContent();
    }

    private static async Task<IResult> GrantsAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var (customer, entitlement, missing) = await FindAsync(owner, reference, context, deps, bySubject);
        if (missing is not null)
        {
            return missing;
        }

        var now = deps.Clock.GetUtcNow();
        var includeDeleted = context.Request.Query["includeDeleted"] == "true";
        var list = (await deps.Entitlements.ListGrantsAsync(customer!.TenantId, entitlement!.Id, context.RequestAborted))
            .Where(g => includeDeleted || g.VoidedAt is null)
            .Select(g => GrantResponse.From(g, now))
            .ToList();
        return bySubject ? RatingJson.Ok(list) : RatingJson.Ok(paging.Cut(list));
    }

    private static async Task<IResult> GrantAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject)
    {
        var (customer, entitlement, missing) = await FindAsync(owner, reference, context, deps, bySubject);
        if (missing is not null)
        {
            return missing;
        }

        if (entitlement!.Type != EntitlementType.Metered)
        {
            return Problems.Validation("entitlement", $"entitlement {entitlement.Id} is {entitlement.Type.ToString().ToLowerInvariant()}; grants are for metered entitlements.");
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var errors = body.Errors;
        var now = deps.Clock.GetUtcNow();
        var grant = EntitlementBody.Grant(body.Root, "", entitlement, now, v2: !bySubject, body.Fields);
        if (grant is null)
        {
            return Problems.Validation(errors);
        }

        await deps.Entitlements.CreateGrantAsync(grant, context.RequestAborted);
        await deps.RefreshAsync(customer!.TenantId, customer.Id);
        return RatingJson.Created($"{context.Request.Path}/{grant.Id}", GrantResponse.From(grant, now));
    }

    private static async Task<IResult> ValueAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject, bool v2)
    {
        var tenantId = context.User.GetTenantId();
        var customer = bySubject
            ? await EntitlementLookup.CustomerAsync(deps.Customers, tenantId, owner, bySubject, context.RequestAborted)
            : await deps.CustomerCache.GetAsync(tenantId, owner, context.RequestAborted);
        if (customer is null)
        {
            return Problems.NotFound(bySubject ? "subject" : "customer", owner);
        }

        if (context.Request.Query.TryGetValue("time", out var timeText))
        {
            if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) || !Limits.IsStorable(at))
            {
                return Problems.Validation("time", $"is '{timeText}'; send an RFC 3339 date-time {Limits.StorableRange}.");
            }

            if (await EntitlementLookup.EntitlementAsync(deps.Entitlements, customer, reference, at, context.RequestAborted) is not { } entitlement)
            {
                return Problems.NotFound("entitlement", reference);
            }

            return await deps.History.ValueAtAsync(tenantId, entitlement, at, context.RequestAborted) is { } past
                ? RatingJson.Ok(EntitlementValueResponse.From(past, v2))
                : Problems.NotFound("entitlement", reference);
        }

        var featureKey = reference;
        if (!IsFeatureKeyOf(reference))
        {
            featureKey = (await EntitlementLookup.EntitlementAsync(deps.Entitlements, customer, reference, deps.Clock.GetUtcNow(), context.RequestAborted))?.FeatureKey ?? reference;
        }

        // The grain's own value, published to this process, without a grain call; else the grain computes (and publishes) it.
        if (deps.Values.Find(tenantId, customer.Id, featureKey, deps.Clock.GetUtcNow()) is { } published)
        {
            return RatingJson.OkBytes(published.Body(v2, EntitlementValueResponse.Serialize));
        }

        var value = await deps.Grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customer.Id)).GetEntitlementValueAsync(featureKey);
        return value is null ? Problems.NotFound("entitlement", reference) : RatingJson.OkBytes(EntitlementValueResponse.Serialize(value, v2));
    }

    private static async Task<IResult> AccessAsync(string owner, HttpContext context, Deps deps)
    {
        var tenantId = context.User.GetTenantId();
        if (await deps.CustomerCache.GetAsync(tenantId, owner, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound("customer", owner);
        }

        var access = await deps.Grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customer.Id)).GetAccessAsync();
        return RatingJson.Ok(new CustomerAccessResponse(access.ToDictionary(pair => pair.Key, pair => EntitlementValueResponse.From(pair.Value, v2: false), StringComparer.Ordinal)));
    }

    private static async Task<IResult> ResetAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject)
    {
        var (customer, entitlement, missing) = await FindAsync(owner, reference, context, deps, bySubject);
        if (missing is not null)
        {
            return missing;
        }

        using var body = await RequestBody.ReadAsync(context.Request, optional: true);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var now = deps.Clock.GetUtcNow();
        var errors = body.Errors;
        var at = !body.IsPresent ? now : body.Fields.Instant(body.Root, "effectiveAt", "", required: false) ?? now;
        if (errors.Count == 0 && (at > now || at < entitlement!.ActiveFrom))
        {
            errors.Add(new FieldError("effectiveAt", $"is {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}; a reset happens between the entitlement's start ({entitlement!.ActiveFrom.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}) and now."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (entitlement!.Type != EntitlementType.Metered)
        {
            return Problems.Validation("entitlement", "only a metered entitlement has usage to reset.");
        }

        await deps.Entitlements.AddResetAsync(customer!.TenantId, entitlement.Id, at, context.RequestAborted);
        await deps.RefreshAsync(customer.TenantId, customer.Id);
        return Results.NoContent();
    }

    internal static async Task<(Customer? Customer, Entitlement? Entitlement, IResult? Missing)> FindAsync(string owner, string reference, HttpContext context, Deps deps, bool bySubject)
    {
        var tenantId = context.User.GetTenantId();
        if (await EntitlementLookup.CustomerAsync(deps.Customers, tenantId, owner, bySubject, context.RequestAborted) is not { } customer)
        {
            return (null, null, Problems.NotFound(bySubject ? "subject" : "customer", owner));
        }

        return await EntitlementLookup.EntitlementAsync(deps.Entitlements, customer, reference, deps.Clock.GetUtcNow(), context.RequestAborted) is { } entitlement
            ? (customer, entitlement, null)
            : (customer, null, Problems.NotFound("entitlement", reference));
    }

    private static bool IsFeatureKeyOf(string reference) => CatalogKey.IsValid(reference) && !Ids.IsUlid(reference);

    /// <summary>The services the entitlement routes use, injected as one parameter.</summary>
    internal sealed class Deps(
        ICustomerStore customers,
        IEntitlementStore entitlements,
        IFeatureStore features,
        IMeterStore meters,
        EntitlementHistory history,
        IGrainFactory grains,
        CustomerLookupCache customerCache,
        PublishedEntitlementValues values,
        [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        public PublishedEntitlementValues Values { get; } = values;

        public ICustomerStore Customers { get; } = customers;

        public CustomerLookupCache CustomerCache { get; } = customerCache;

        public IEntitlementStore Entitlements { get; } = entitlements;

        public IFeatureStore Features { get; } = features;

        public IMeterStore Meters { get; } = meters;

        public EntitlementHistory History { get; } = history;

        public IGrainFactory Grains { get; } = grains;

        public TimeProvider Clock { get; } = clock;

        public Task RefreshAsync(string tenantId, string customerId) => Grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customerId)).RefreshAsync();
    }
}
