using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tally.Billing;
using Tally.Billing.Meters;
using Tally.Billing.Portal;
using Tally.ServiceDefaults;

namespace Tally.Aggregator.Portal;

/// <summary>
/// OpenMeter's portal token routes, for the tenant: create (<c>200</c> with the secret, shown once),
/// list (never the secret) and invalidate (<c>204</c>; refused by every process from the next request on).
/// </summary>
public static class PortalTokenEndpoints
{
    /// <summary>Expired tokens are kept this long (listed with <c>expired: true</c>), then deleted.</summary>
    private static readonly TimeSpan KeepExpired = TimeSpan.FromDays(7);

    private const int MaxAllowedMeters = 100;

    public static IEndpointRouteBuilder MapPortalTokens(this IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/api/v1/portal/tokens").RequireAuthorization(TallyClaims.TenantPolicy);
        tokens.MapPost("", CreateAsync);
        tokens.MapGet("", ListAsync);
        tokens.MapPost("/invalidate", InvalidateAsync);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IPortalTokenStore store, IMeterStore meters, IOptions<PortalOptions> options, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreatePortalTokenRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(request!.Subject))
        {
            errors.Add(new FieldError("subject", "is required: the CloudEvent subject (customer) whose usage the token may read."));
        }
        else if (Limits.IdentifierProblem(request.Subject) is { } subjectProblem)
        {
            errors.Add(new FieldError("subject", subjectProblem));
        }

        if (request.AllowedMeterSlugs is { Count: 0 })
        {
            errors.Add(new FieldError("allowedMeterSlugs", "cannot be an empty array when provided; leave it out to allow every meter."));
        }
        else if (request.AllowedMeterSlugs is { Count: > MaxAllowedMeters })
        {
            errors.Add(new FieldError("allowedMeterSlugs", $"lists {request.AllowedMeterSlugs.Count} meters; a token names at most {MaxAllowedMeters}."));
        }

        var lifetime = options.Value;
        var expiresAt = (request.ExpiresAt ?? now + lifetime.TokenExpiration).ToUniversalTime();
        if (expiresAt <= now)
        {
            errors.Add(new FieldError("expiresAt", $"is {expiresAt:O}, not in the future; leave it out for {lifetime.TokenExpiration} from now."));
        }
        else if (expiresAt > now + lifetime.MaxTokenExpiration)
        {
            errors.Add(new FieldError("expiresAt", $"is more than {lifetime.MaxTokenExpiration} from now, the longest a portal token lives here (Portal:MaxTokenExpiration)."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var allowed = new List<string>();
        foreach (var slug in (request.AllowedMeterSlugs ?? []).Distinct(StringComparer.Ordinal))
        {
            // By slug only: a token names meters as the portal route does.
            if (string.IsNullOrEmpty(slug) || await meters.GetAsync(tenantId, slug, context.RequestAborted) is not { } meter || meter.Slug != slug)
            {
                return Problems.NotFound("meter", slug ?? "");
            }

            allowed.Add(slug);
        }

        var token = new PortalToken(tenantId, Ids.New("ptk"), request.Subject!, allowed, expiresAt, now);
        await store.DeleteExpiredAsync(tenantId, now - KeepExpired, context.RequestAborted);
        var secret = await store.CreateAsync(token, context.RequestAborted);
        return Results.Ok(PortalTokenResponse.From(token, now, secret));
    }

    private static async Task<IResult> ListAsync(HttpContext context, IPortalTokenStore store, TimeProvider clock)
    {
        var limit = 25;
        if (context.Request.Query.TryGetValue("limit", out var text) && (!int.TryParse(text, out limit) || limit is < 1 or > 100))
        {
            return Problems.Validation("limit", "must be a whole number from 1 to 100.");
        }

        var now = clock.GetUtcNow();
        var tokens = await store.ListAsync(context.User.GetTenantId(), limit, context.RequestAborted);
        return Results.Ok(tokens.Select(token => PortalTokenResponse.From(token, now)));
    }

    private static async Task<IResult> InvalidateAsync(HttpContext context, IPortalTokenStore store, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<InvalidatePortalTokensRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<FieldError>();
        if (request!.Id is null && request.Subject is null)
        {
            errors.Add(new FieldError("id", "or subject is required: name the token, or the subject whose tokens all go."));
        }

        foreach (var (field, value) in new[] { ("id", request.Id), ("subject", request.Subject) })
        {
            if (value is not null && Limits.IdentifierProblem(value) is { } valueProblem)
            {
                errors.Add(new FieldError(field, valueProblem));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var matched = await store.InvalidateAsync(context.User.GetTenantId(), request.Id, request.Subject, clock.GetUtcNow(), context.RequestAborted);
        return matched == 0 && request.Id is not null ? Problems.NotFound("portal token", request.Id) : Results.NoContent();
    }
}
