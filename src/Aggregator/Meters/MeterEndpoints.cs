using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.ServiceDefaults;

namespace Tally.Aggregator.Meters;

/// <summary>OpenMeter's meter routes: create, list, get, delete and query.</summary>
public static class MeterEndpoints
{
    public static IEndpointRouteBuilder MapMeters(this IEndpointRouteBuilder routes)
    {
        var meters = routes.MapGroup("/api/v1/meters").RequireAuthorization(TallyClaims.TenantPolicy);
        meters.MapPost("", CreateAsync);
        meters.MapGet("", async (HttpContext context, IMeterStore store) =>
            Results.Ok((await store.ListAsync(context.User.GetTenantId(), context.RequestAborted)).Select(MeterResponse.From)));
        meters.MapGet("/{meterIdOrSlug}", async (string meterIdOrSlug, HttpContext context, IMeterStore store) =>
            await store.GetAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted) is { } meter
                ? Results.Ok(MeterResponse.From(meter))
                : Problems.NotFound("meter", meterIdOrSlug));
        meters.MapDelete("/{meterIdOrSlug}", async (string meterIdOrSlug, HttpContext context, IMeterStore store) =>
            await store.DeleteAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted)
                ? Results.NoContent()
                : Problems.NotFound("meter", meterIdOrSlug));
        meters.MapGet("/{meterIdOrSlug}/query", QueryAsync);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IMeterStore store, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateMeterRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var (meter, errors) = MeterValidation.Validate(context.User.GetTenantId(), request!, clock.GetUtcNow());
        if (meter is null)
        {
            return Problems.Validation(errors);
        }

        await store.CreateAsync(meter, context.RequestAborted);

        return Results.Created($"/api/v1/meters/{meter.Slug}", MeterResponse.From(meter));
    }

    private static async Task<IResult> QueryAsync(string meterIdOrSlug, HttpContext context, IMeterStore store, IMeterQueryReader reader, TimeProvider clock)
    {
        var meter = await store.GetAsync(context.User.GetTenantId(), meterIdOrSlug, context.RequestAborted);
        if (meter is null)
        {
            return Problems.NotFound("meter", meterIdOrSlug);
        }

        var (query, errors) = MeterQueryParser.Parse(meter, context.Request.Query, clock.GetUtcNow());
        if (query is null)
        {
            return Problems.Validation(errors);
        }

        var rows = await reader.QueryAsync(query, context.RequestAborted);
        return Results.Ok(new MeterQueryResponse(
            query.FromGiven ? query.From.UtcDateTime : null,
            query.ToGiven ? query.To.UtcDateTime : null,
            query.WindowSize?.ToString().ToUpperInvariant(),
            [.. rows.Select(row => new MeterQueryValue(row.Value, row.WindowStart.UtcDateTime, row.WindowEnd.UtcDateTime, row.Subject, row.GroupBy))]));
    }
}
