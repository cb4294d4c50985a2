using Tally.Billing;
using Tally.Billing.Catalog;

namespace Tally.Rating.Catalog;

/// <summary>Plan create request, in the style of OpenMeter's product catalog (one phase, usage-based rate cards).</summary>
public sealed class CreatePlanRequest
{
    public string? Key { get; set; }

    public string? Name { get; set; }

    public string? Currency { get; set; }

    public List<RateCardRequest>? RateCards { get; set; }
}

public sealed class RateCardRequest
{
    public string? Key { get; set; }

    public string? MeterSlug { get; set; }

    public PriceRequest? Price { get; set; }
}

/// <summary>A price; only <c>unit</c> (a price per unit of usage) so far.</summary>
public sealed class PriceRequest
{
    public string? Type { get; set; }

    public decimal? Amount { get; set; }
}

public sealed record PlanResponse(string Id, string Key, string Name, string Currency, IReadOnlyList<RateCardResponse> RateCards, DateTime CreatedAt)
{
    public static PlanResponse From(Plan plan) => new(
        plan.Id,
        plan.Key,
        plan.Name,
        plan.Currency.Code,
        [.. plan.RateCards.Select(card => new RateCardResponse(card.Key, card.MeterSlug, new PriceResponse("unit", card.UnitPrice)))],
        plan.CreatedAt.UtcDateTime);
}

public sealed record RateCardResponse(string Key, string MeterSlug, PriceResponse Price);

public sealed record PriceResponse(string Type, decimal Amount);
