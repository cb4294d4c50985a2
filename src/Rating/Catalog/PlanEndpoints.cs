using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Meters;
using Tally.ServiceDefaults;

namespace Tally.Rating.Catalog;

/// <summary>
/// OpenMeter's plans (<c>/api/v1/plans</c>): versions of a key, drafted, published (the previous active
/// version is archived at that instant) and archived. Only a draft (or scheduled) version changes;
/// a published version's phases are fixed, so subscriptions on it keep its prices.
/// </summary>
public static class PlanEndpoints
{
    public static IEndpointRouteBuilder MapPlans(this IEndpointRouteBuilder routes)
    {
        var plans = routes.MapGroup("/api/v1/plans").RequireAuthorization(TallyClaims.TenantPolicy);
        plans.MapPost("", CreateAsync);
        plans.MapGet("", ListAsync);
        plans.MapGet("/{planId}", GetAsync);
        plans.MapPut("/{planId}", UpdateAsync);
        plans.MapDelete("/{planId}", DeleteAsync);
        plans.MapPost("/{planId}/publish", PublishAsync);
        plans.MapPost("/{planId}/archive", ArchiveAsync);
        plans.MapPost("/{planIdOrKey}/next", NextAsync);
        return routes;
    }

    /// <summary>The version a path names: an id, or a key (its active version; with <paramref name="latest"/>, its newest, drafts included).</summary>
    internal static async Task<Plan?> FindAsync(IPlanStore store, string tenantId, string idOrKey, bool latest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(tenantId, idOrKey, cancellationToken) is { DeletedAt: null } byId)
        {
            return byId;
        }

        var versions = (await store.VersionsAsync(tenantId, idOrKey, cancellationToken)).Where(p => p.DeletedAt is null).ToList();
        return latest ? versions.LastOrDefault() : versions.LastOrDefault(p => p.StatusAt(now) == PlanStatus.Active);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IPlanStore store, IFeatureStore features, IMeterStore meters, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var tenantId = context.User.GetTenantId();
        var errors = body.Errors;
        var read = PlanJson.ReadBody(body.Root, create: true, errors);
        if (read is null)
        {
            return Problems.Validation(errors);
        }

        if (await CheckReferencesAsync(tenantId, read.Phases, features, meters, context.RequestAborted) is { } invalid)
        {
            return invalid;
        }

        var versions = await store.VersionsAsync(tenantId, read.Key!, context.RequestAborted);
        if (versions.Any(p => p.DeletedAt is null && p.EffectiveFrom is null))
        {
            return Problems.Validation("key", $"plan {read.Key} already has a draft version; edit it with PUT, publish it, or delete it first (one draft per plan).");
        }

        var now = clock.GetUtcNow();
        var plan = new Plan(tenantId, Ids.NewUlid(now), read.Key!, versions.Count == 0 ? 1 : versions.Max(p => p.Version) + 1, read.Name, read.Currency!, read.BillingCadence, read.Phases, now)
        {
            Description = read.Description,
            Metadata = read.Metadata,
            ProRating = read.ProRating,
        };
        await store.CreateAsync(plan, context.RequestAborted);
        return RatingJson.Created($"/api/v1/plans/{plan.Id}", PlanResponse.From(plan, now));
    }

    private static async Task<IResult> ListAsync(HttpContext context, IPlanStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var query = context.Request.Query;
        var now = clock.GetUtcNow();
        IEnumerable<Plan> list = await store.ListAsync(context.User.GetTenantId(), context.RequestAborted);
        if (query["includeDeleted"] != "true")
        {
            list = list.Where(p => p.DeletedAt is null);
        }

        HashSet<string> Set(string name) => query[name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToHashSet(StringComparer.Ordinal);
        var ids = Set("id");
        var keys = Set("key");
        var statuses = Set("status");
        var currencies = Set("currency");
        list = list.Where(p => (ids.Count == 0 || ids.Contains(p.Id)) && (keys.Count == 0 || keys.Contains(p.Key))
            && (statuses.Count == 0 || statuses.Contains(p.StatusAt(now).ToString().ToLowerInvariant()))
            && (currencies.Count == 0 || currencies.Contains(p.Currency.Code)));
        var versions = query.Where(q => q.Key.StartsWith("keyVersion[", StringComparison.Ordinal) && q.Key.EndsWith(']'))
            .ToDictionary(q => q.Key["keyVersion[".Length..^1], q => q.Value.Select(v => int.TryParse(v, out var n) ? n : -1).ToHashSet(), StringComparer.Ordinal);
        if (versions.Count > 0)
        {
            list = list.Where(p => versions.TryGetValue(p.Key, out var wanted) && wanted.Contains(p.Version));
        }

        list = query["orderBy"].ToString() switch
        {
            "id" => list.OrderBy(p => p.Id, StringComparer.Ordinal),
            "version" => list.OrderBy(p => p.Version).ThenBy(p => p.Key, StringComparer.Ordinal),
            "created_at" => list.OrderBy(p => p.CreatedAt),
            "updated_at" => list.OrderBy(p => p.UpdatedAt),
            _ => list.OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Version),
        };
        if (query["order"] == "DESC")
        {
            list = list.Reverse();
        }

        return RatingJson.Ok(paging.Cut([.. list.Select(p => PlanResponse.From(p, now))]));
    }

    private static async Task<IResult> GetAsync(string planId, HttpContext context, IPlanStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return await FindAsync(store, context.User.GetTenantId(), planId, context.Request.Query["includeLatest"] == "true", now, context.RequestAborted) is { } plan
            ? RatingJson.Ok(PlanResponse.From(plan, now))
            : Problems.NotFound("plan", planId);
    }

    private static async Task<IResult> UpdateAsync(string planId, HttpContext context, IPlanStore store, IFeatureStore features, IMeterStore meters, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await store.GetAsync(tenantId, planId, context.RequestAborted) is not { DeletedAt: null } plan)
        {
            return Problems.NotFound("plan", planId);
        }

        if (plan.StatusAt(now) is not (PlanStatus.Draft or PlanStatus.Scheduled))
        {
            return Problems.Validation("planId", $"plan {plan.Key} v{plan.Version} is {plan.StatusAt(now).ToString().ToLowerInvariant()}; only a draft changes. Create a new version with POST /api/v1/plans and the same key.");
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var errors = body.Errors;
        var read = PlanJson.ReadBody(body.Root, create: false, errors);
        if (read is null)
        {
            return Problems.Validation(errors);
        }

        if (await CheckReferencesAsync(tenantId, read.Phases, features, meters, context.RequestAborted) is { } invalid)
        {
            return invalid;
        }

        var updated = plan with
        {
            Name = read.Name,
            Description = read.Description,
            Metadata = read.Metadata,
            BillingCadence = read.BillingCadence,
            ProRating = read.ProRating,
            Phases = read.Phases,
            UpdatedAt = now,
        };
        await store.UpdateAsync(updated, context.RequestAborted);
        return RatingJson.Ok(PlanResponse.From(updated, now));
    }

    private static async Task<IResult> DeleteAsync(string planId, HttpContext context, IPlanStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (await store.GetAsync(context.User.GetTenantId(), planId, context.RequestAborted) is not { DeletedAt: null } plan)
        {
            return Problems.NotFound("plan", planId);
        }

        if (plan.StatusAt(now) == PlanStatus.Active)
        {
            return Problems.Validation("planId", $"plan {plan.Key} v{plan.Version} is active; archive it before deleting it.");
        }

        await store.UpdateAsync(plan with { DeletedAt = now, UpdatedAt = now }, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> PublishAsync(string planId, HttpContext context, IPlanStore store, IFeatureStore features, IMeterStore meters, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await store.GetAsync(tenantId, planId, context.RequestAborted) is not { DeletedAt: null } plan)
        {
            return Problems.NotFound("plan", planId);
        }

        if (plan.StatusAt(now) is not (PlanStatus.Draft or PlanStatus.Scheduled))
        {
            return Problems.Validation("planId", $"plan {plan.Key} v{plan.Version} is {plan.StatusAt(now).ToString().ToLowerInvariant()}; only a draft can be published.");
        }

        if (await CheckReferencesAsync(tenantId, plan.Phases, features, meters, context.RequestAborted) is { } invalid)
        {
            return invalid;
        }

        foreach (var active in (await store.VersionsAsync(tenantId, plan.Key, context.RequestAborted)).Where(p => p.DeletedAt is null && p.Id != plan.Id && p.StatusAt(now) == PlanStatus.Active))
        {
            await store.UpdateAsync(active with { EffectiveTo = now, UpdatedAt = now }, context.RequestAborted);
        }

        var published = plan with { EffectiveFrom = now, EffectiveTo = null, UpdatedAt = now };
        await store.UpdateAsync(published, context.RequestAborted);
        return RatingJson.Ok(PlanResponse.From(published, now));
    }

    private static async Task<IResult> ArchiveAsync(string planId, HttpContext context, IPlanStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (await store.GetAsync(context.User.GetTenantId(), planId, context.RequestAborted) is not { DeletedAt: null } plan)
        {
            return Problems.NotFound("plan", planId);
        }

        if (plan.StatusAt(now) != PlanStatus.Active)
        {
            return Problems.Validation("planId", $"plan {plan.Key} v{plan.Version} is {plan.StatusAt(now).ToString().ToLowerInvariant()}; only an active plan can be archived.");
        }

        var archived = plan with { EffectiveTo = now, UpdatedAt = now };
        await store.UpdateAsync(archived, context.RequestAborted);
        return RatingJson.Ok(PlanResponse.From(archived, now));
    }

    private static async Task<IResult> NextAsync(string planIdOrKey, HttpContext context, IPlanStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await FindAsync(store, tenantId, planIdOrKey, latest: true, now, context.RequestAborted) is not { } source)
        {
            return Problems.NotFound("plan", planIdOrKey);
        }

        var versions = await store.VersionsAsync(tenantId, source.Key, context.RequestAborted);
        if (versions.Any(p => p.DeletedAt is null && p.EffectiveFrom is null))
        {
            return Problems.Validation("planIdOrKey", $"plan {source.Key} already has a draft version; edit or publish it first.");
        }

        var next = source with
        {
            Id = Ids.NewUlid(now),
            Version = versions.Max(p => p.Version) + 1,
            EffectiveFrom = null,
            EffectiveTo = null,
            CreatedAt = now,
            UpdatedAt = now,
            DeletedAt = null,
        };
        await store.CreateAsync(next, context.RequestAborted);
        return RatingJson.Created($"/api/v1/plans/{next.Id}", PlanResponse.From(next, now));
    }

    private static async Task<IResult?> CheckReferencesAsync(string tenantId, IReadOnlyList<PlanPhase> phases, IFeatureStore features, IMeterStore meters, CancellationToken cancellationToken)
    {
        var active = (await features.ListAsync(tenantId, cancellationToken)).Where(f => f.ArchivedAt is null).ToDictionary(f => f.Key, StringComparer.Ordinal);
        var known = (await meters.ListAsync(tenantId, cancellationToken)).ToDictionary(m => m.Slug, StringComparer.Ordinal);
        var errors = PlanRules.CheckReferences(phases, key => active.GetValueOrDefault(key), slug => known.GetValueOrDefault(slug));
        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }
}
