namespace Tally.Billing.Catalog;

/// <summary>A price list customers subscribe to: one usage-based rate card per meter.</summary>
public sealed record Plan(string TenantId, string Id, string Key, string Name, Currency Currency, IReadOnlyList<RateCard> RateCards, DateTimeOffset CreatedAt);

/// <summary>A per-unit price on a meter's usage, e.g. 0.002 USD per token.</summary>
public sealed record RateCard(string Key, string MeterSlug, decimal UnitPrice);
