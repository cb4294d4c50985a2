using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Aggregator.Meters;
using Tally.Billing.Meters;
using Tally.Billing.Portal;
using Tally.Billing.Usage;
using Tally.ServiceDefaults;

namespace Tally.Aggregator.Portal;

/// <summary>
/// What a portal token reads: OpenMeter's <c>GET /api/v1/portal/meters/{meterSlug}/query</c> (the tenant's
/// meter query with the token's subject forced, JSON or CSV), its live stream, the meters it may read and
/// the token itself. A subject other than the token's, or a meter it does not allow, is refused (403),
/// never silently narrowed.
/// </summary>
public static class PortalMeterEndpoints
{
    public static IEndpointRouteBuilder MapPortalMeters(this IEndpointRouteBuilder routes)
    {
        var portal = routes.MapGroup("/api/v1/portal").RequireAuthorization(TallyClaims.PortalPolicy);
        portal.MapGet("/token", (HttpContext context, TimeProvider clock) =>
            Results.Ok(PortalTokenResponse.From(PortalTokenAuthenticationHandler.TokenOf(context), clock.GetUtcNow())));
        var meters = portal.MapGroup("/meters").RequireCors(ServiceDefaultsExtensions.PortalCorsPolicy);
        meters.MapGet("", async (HttpContext context, IMeterStore store) =>
        {
            var token = PortalTokenAuthenticationHandler.TokenOf(context);
            var all = await store.ListAsync(token.TenantId, context.RequestAborted);
            return Results.Ok(all.Where(meter => token.Allows(meter.Slug)).Select(PortalMeterResponse.From));
        });
        meters.MapGet("/{meterSlug}/query", async (string meterSlug, HttpContext context, IMeterStore store, IMeterQueryReader reader) =>
        {
            var (meter, request, query, problem) = await ResolveAsync(meterSlug, context, store);
            return problem ?? await MeterEndpoints.AnswerAsync(meter!, request!, query!, context, reader);
        });
        meters.MapGet("/{meterSlug}/query/stream", async (string meterSlug, HttpContext context, IMeterStore store, IMeterQueryReader reader, MeterQueryStream stream, IPortalTokenStore tokens, TimeProvider clock) =>
        {
            var (_, request, query, problem) = await ResolveAsync(meterSlug, context, store);
            return problem ?? await stream.RunAsync(context, request!, query!, reader, () => PortalTokenAuthenticationHandler.RecheckAsync(context, tokens, clock));
        });
        return routes;
    }

    private static async Task<(MeterDefinition? Meter, MeterQueryRequest? Request, MeterQuery? Query, IResult? Problem)> ResolveAsync(
        string meterSlug, HttpContext context, IMeterStore store)
    {
        var token = PortalTokenAuthenticationHandler.TokenOf(context);
        if (!token.Allows(meterSlug))
        {
            return (null, null, null, Problems.Forbidden("meterSlug", $"this portal token may not read meter '{meterSlug}'."));
        }

        // By slug only, as OpenMeter's portal route has it: a meter id must not be a way around the allowed slugs.
        var meter = await store.GetAsync(token.TenantId, meterSlug, context.RequestAborted);
        if (meter is null || meter.Slug != meterSlug)
        {
            return (null, null, null, Problems.NotFound("meter", meterSlug));
        }

        var (request, errors) = MeterQueryParser.FromQueryString(context.Request.Query);
        if (errors.Count > 0)
        {
            return (null, null, null, Problems.Validation(errors));
        }

        if (request.Subject?.FirstOrDefault(subject => subject != token.Subject) is { } other)
        {
            return (null, null, null, Problems.Forbidden("subject", $"this portal token reads only its own subject; '{Printable(other)}' is not it."));
        }

        if (request.FilterCustomerId is { Count: > 0 } || request.GroupBy?.Contains("customer_id") == true)
        {
            return (null, null, null, Problems.Validation("filterCustomerId", "is not available on portal routes: the token's subject decides whose usage is read."));
        }

        // OpenMeter's portal: the token's subject, always grouped by subject.
        request.Subject = [token.Subject];
        var (query, resolveErrors) = MeterQueryParser.Resolve(meter, request, customerBySubject: null);
        return query is null
            ? (null, null, null, Problems.Validation(resolveErrors))
            : (meter, request, query, null);
    }

    private static string Printable(string text) =>
        text.Length > 256 || Billing.Limits.HasControlCharacters(text) ? "(invalid value)" : text;
}
