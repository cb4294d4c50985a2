using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Meters;
using Tally.ServiceDefaults;

namespace Tally.Rating.Catalog;

/// <summary>Plan routes: <c>/api/v1/plans</c>.</summary>
public static partial class PlanEndpoints
{
    public static IEndpointRouteBuilder MapPlans(this IEndpointRouteBuilder routes)
    {
        var plans = routes.MapGroup("/api/v1/plans").RequireAuthorization(TallyClaims.TenantPolicy);
        plans.MapPost("", CreateAsync);
        plans.MapGet("", async (HttpContext context, IPlanStore store) =>
            Results.Ok((await store.ListAsync(context.User.GetTenantId(), context.RequestAborted)).Select(PlanResponse.From)));
        plans.MapGet("/{planIdOrKey}", async (string planIdOrKey, HttpContext context, IPlanStore store) =>
            await store.GetAsync(context.User.GetTenantId(), planIdOrKey, context.RequestAborted) is { } plan
                ? Results.Ok(PlanResponse.From(plan))
                : Problems.NotFound("plan", planIdOrKey));
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IPlanStore store, IMeterStore meters, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreatePlanRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var tenantId = context.User.GetTenantId();
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(request!.Key) || !KeyPattern().IsMatch(request.Key))
        {
            errors.Add(new FieldError("key", "is required: 1-63 lower-case letters, digits, '_' or '-', such as pro_monthly."));
        }

        if (Limits.IdentifierProblem(request.Name, Limits.Name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (!Currency.TryParse(request.Currency, out var currency))
        {
            errors.Add(new FieldError("currency", $"is '{request.Currency}'; use an ISO 4217 code Tally supports: {string.Join(", ", Currency.SupportedCodes)}."));
        }

        var cards = new List<RateCard>();
        if (request.RateCards is not { Count: > 0 })
        {
            errors.Add(new FieldError("rateCards", "must list at least one usage-based rate card."));
        }

        else if (request.RateCards.Count > Limits.RateCards)
        {
            errors.Add(new FieldError("rateCards", $"lists {request.RateCards.Count} rate cards; a plan has at most {Limits.RateCards}."));
        }

        for (var i = 0; i < Math.Min(request.RateCards?.Count ?? 0, Limits.RateCards); i++)
        {
            var card = request.RateCards![i];
            var at = $"rateCards[{i}]";
            if (card is null)
            {
                errors.Add(new FieldError(at, "is null; each rate card is an object such as {\"key\": \"tokens\", \"meterSlug\": \"tokens\", \"price\": {\"type\": \"unit\", \"amount\": \"0.002\"}}."));
                continue;
            }

            if (string.IsNullOrEmpty(card.Key) || !KeyPattern().IsMatch(card.Key) || cards.Any(c => c.Key == card.Key))
            {
                errors.Add(new FieldError($"{at}.key", "is required and unique within the plan: lower-case letters, digits, '_' or '-'."));
            }

            if (string.IsNullOrEmpty(card.MeterSlug) || card.MeterSlug.Length > Limits.Key
                || await meters.GetAsync(tenantId, card.MeterSlug, context.RequestAborted) is null)
            {
                errors.Add(new FieldError($"{at}.meterSlug", $"'{card.MeterSlug}' is not one of your meters; create it first with POST /api/v1/meters."));
            }

            if (card.Price is not { Type: "unit", Amount: >= 0 })
            {
                errors.Add(new FieldError($"{at}.price", "must be {\"type\": \"unit\", \"amount\": \"<price per unit, at least 0>\"}."));
            }

            cards.Add(new RateCard(card.Key ?? "", card.MeterSlug ?? "", card.Price?.Amount ?? 0m));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var plan = new Plan(tenantId, Ids.New("pln"), request.Key!, request.Name!, currency, cards, clock.GetUtcNow());
        await store.CreateAsync(plan, context.RequestAborted);

        return Results.Created($"/api/v1/plans/{plan.Id}", PlanResponse.From(plan));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    internal static partial Regex KeyPattern();
}
