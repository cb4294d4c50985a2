using System.Text.Json;
using Tally.Billing.Catalog;

namespace Tally.Rating.Catalog;

/// <summary>OpenMeter's <c>Plan</c> (phases in OpenMeter's JSON, as <see cref="PlanJson"/> writes them).</summary>
public sealed record PlanResponse(
    string Id,
    string Key,
    int Version,
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string>? Metadata,
    string Currency,
    string BillingCadence,
    ProRatingConfig ProRatingConfig,
    PlanAlignment Alignment,
    JsonElement Phases,
    string Status,
    DateTime? EffectiveFrom,
    DateTime? EffectiveTo,
    IReadOnlyList<object>? ValidationErrors,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeletedAt)
{
    public static PlanResponse From(Plan plan, DateTimeOffset now)
    {
        using var phases = JsonDocument.Parse(PlanJson.WritePhases(plan.Phases));
        return new PlanResponse(
            plan.Id,
            plan.Key,
            plan.Version,
            plan.Name,
            plan.Description,
            plan.Metadata,
            plan.Currency.Code,
            plan.BillingCadence.ToString(),
            new ProRatingConfig(plan.ProRating, "prorate_prices"),
            new PlanAlignment(true),
            phases.RootElement.Clone(),
            plan.StatusAt(now).ToString().ToLowerInvariant(),
            RatingJson.Utc(plan.EffectiveFrom),
            RatingJson.Utc(plan.EffectiveTo),
            null,
            plan.CreatedAt.UtcDateTime,
            plan.UpdatedAt.UtcDateTime,
            RatingJson.Utc(plan.DeletedAt));
    }
}

public sealed record ProRatingConfig(bool Enabled, string Mode);

public sealed record PlanAlignment(bool BillablesMustAlign);
