using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Aggregator.Meters;

/// <summary>OpenMeter's meter create request.</summary>
public sealed class CreateMeterRequest
{
    public string? Slug { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Aggregation { get; set; }

    public string? EventType { get; set; }

    public string? ValueProperty { get; set; }

    public Dictionary<string, string>? GroupBy { get; set; }
}

/// <summary>OpenMeter's meter resource.</summary>
public sealed record MeterResponse(
    string Id,
    string Slug,
    string Name,
    string? Description,
    string Aggregation,
    string EventType,
    string? ValueProperty,
    IReadOnlyDictionary<string, string> GroupBy,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static MeterResponse From(MeterDefinition meter) => new(
        meter.Id,
        meter.Slug,
        meter.Slug,
        meter.Description,
        meter.Aggregation.ToString().ToUpperInvariant(),
        meter.EventType,
        meter.ValueProperty,
        meter.GroupBy,
        meter.CreatedAt.UtcDateTime,
        meter.CreatedAt.UtcDateTime);
}

/// <summary>OpenMeter's meter query result.</summary>
public sealed record MeterQueryResponse(DateTime? From, DateTime? To, string? WindowSize, IReadOnlyList<MeterQueryValue> Data);

/// <summary>One value of OpenMeter's meter query result.</summary>
public sealed record MeterQueryValue(decimal Value, DateTime WindowStart, DateTime WindowEnd, string? Subject, IReadOnlyDictionary<string, string?> GroupBy);
