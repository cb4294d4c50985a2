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
/// OpenMeter's features (<c>/api/v1/features</c>). The list is a plain array unless <c>page</c> or
/// <c>pageSize</c> is given (as OpenMeter's SDK expects); delete archives.
/// </summary>
public static class FeatureEndpoints
{
    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder routes)
    {
        var features = routes.MapGroup("/api/v1/features").RequireAuthorization(TallyClaims.TenantPolicy);
        features.MapPost("", CreateAsync);
        features.MapGet("", ListAsync);
        features.MapGet("/{featureId}", async (string featureId, HttpContext context, IFeatureStore store) =>
            await store.GetAsync(context.User.GetTenantId(), featureId, context.RequestAborted) is { } feature
                ? RatingJson.Ok(FeatureResponse.From(feature))
                : Problems.NotFound("feature", featureId));
        features.MapDelete("/{featureId}", async (string featureId, HttpContext context, IFeatureStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) =>
        {
            var tenantId = context.User.GetTenantId();
            return await store.GetAsync(tenantId, featureId, context.RequestAborted) is { } feature
                && (feature.ArchivedAt is not null || await store.ArchiveAsync(tenantId, feature.Id, clock.GetUtcNow(), context.RequestAborted))
                ? Results.NoContent()
                : Problems.NotFound("feature", featureId);
        });
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IFeatureStore store, IMeterStore meters, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var tenantId = context.User.GetTenantId();
        var slug = body.Root.ValueKind == System.Text.Json.JsonValueKind.Object && body.Root.TryGetProperty("meterSlug", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.String ? s.GetString() : null;
        var meter = slug is null || slug.Length > Limits.Key ? null : await meters.GetAsync(tenantId, slug, context.RequestAborted);
        var now = clock.GetUtcNow();
        var errors = body.Errors;
        var feature = FeatureBody.Read(body.Root, tenantId, Ids.NewUlid(now), now, requested => requested == meter?.Slug ? meter : null, errors);
        if (feature is null)
        {
            return Problems.Validation(errors);
        }

        await store.CreateAsync(feature, context.RequestAborted);
        return RatingJson.Created($"/api/v1/features/{feature.Id}", FeatureResponse.From(feature));
    }

    private static async Task<IResult> ListAsync(HttpContext context, IFeatureStore store)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var query = context.Request.Query;
        IEnumerable<Feature> list = await store.ListAsync(context.User.GetTenantId(), context.RequestAborted);
        if (query["includeArchived"] != "true")
        {
            list = list.Where(f => f.ArchivedAt is null);
        }

        var slugs = query["meterSlug"].Where(v => !string.IsNullOrEmpty(v)).ToHashSet(StringComparer.Ordinal);
        if (slugs.Count > 0)
        {
            list = list.Where(f => f.MeterSlug is not null && slugs.Contains(f.MeterSlug));
        }

        list = query["orderBy"].ToString() switch
        {
            "id" => list.OrderBy(f => f.Id, StringComparer.Ordinal),
            "name" => list.OrderBy(f => f.Name, StringComparer.Ordinal),
            "createdAt" => list.OrderBy(f => f.CreatedAt),
            "updatedAt" => list.OrderBy(f => f.UpdatedAt),
            _ => list.OrderBy(f => f.Key, StringComparer.Ordinal).ThenBy(f => f.CreatedAt),
        };
        if (query["order"] == "DESC")
        {
            list = list.Reverse();
        }

        var items = list.Select(FeatureResponse.From).ToList();
        if (!paging.Asked && (query.ContainsKey("limit") || query.ContainsKey("offset")))
        {
            var offset = int.TryParse(query["offset"], out var o) && o > 0 ? o : 0;
            var limit = int.TryParse(query["limit"], out var l) && l is > 0 and <= Paging.MaxPageSize ? l : 100;
            items = [.. items.Skip(offset).Take(limit)];
        }

        return paging.Asked ? RatingJson.Ok(paging.Cut(items)) : RatingJson.Ok(items);
    }
}
