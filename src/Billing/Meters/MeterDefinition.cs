namespace Tally.Billing.Meters;

/// <summary>How a meter folds event values into one number per window (OpenMeter's names).</summary>
public enum MeterAggregation
{
    Sum,
    Count,
}

/// <summary>
/// What a tenant measures: events of <see cref="EventType"/>, the number at <see cref="ValueProperty"/>
/// (a JSONPath into the event's data such as <c>$.tokens</c>), folded by <see cref="Aggregation"/>,
/// and split by the <see cref="GroupBy"/> properties (name to JSONPath).
/// </summary>
public sealed record MeterDefinition(
    string TenantId,
    string Id,
    string Slug,
    string? Description,
    string EventType,
    MeterAggregation Aggregation,
    string? ValueProperty,
    IReadOnlyDictionary<string, string> GroupBy,
    DateTimeOffset CreatedAt);
