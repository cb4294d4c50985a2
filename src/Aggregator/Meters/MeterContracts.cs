using System.Text.Json;
using System.Text.Json.Serialization;
using Tally.Billing.Meters;
using Tally.Billing.Usage;

namespace Tally.Aggregator.Meters;

/// <summary>OpenMeter's <c>MeterCreate</c>, plus Tally's <c>dataFilter</c>.</summary>
public sealed class CreateMeterRequest
{
    public string? Slug { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Aggregation { get; set; }

    public string? EventType { get; set; }

    public DateTimeOffset? EventFrom { get; set; }

    public string? ValueProperty { get; set; }

    public Dictionary<string, string>? GroupBy { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>Tally extension: <c>{"$.status": {"$eq": "ok"}}</c>, every condition must hold for an event to be metered.</summary>
    public Dictionary<string, JsonElement>? DataFilter { get; set; }
}

/// <summary>OpenMeter's <c>MeterUpdate</c>: what PUT may change (a full replacement, as OpenMeter does it).</summary>
public sealed class UpdateMeterRequest
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public Dictionary<string, string>? GroupBy { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }
}

/// <summary>OpenMeter's <c>Meter</c> resource (plus <c>dataFilter</c> when the meter has one).</summary>
public sealed record MeterResponse(
    string Id,
    string Slug,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    string Aggregation,
    string EventType,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? EventFrom,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ValueProperty,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? GroupBy,
    IReadOnlyDictionary<string, string>? Metadata,
    IReadOnlyDictionary<string, object>? Annotations,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, IReadOnlyDictionary<string, object>>? DataFilter,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static MeterResponse From(MeterDefinition meter) => new(
        meter.Id,
        meter.Slug,
        meter.Name,
        meter.Description,
        AggregationName(meter.Aggregation),
        meter.EventType,
        meter.EventFrom?.UtcDateTime,
        meter.ValueProperty,
        meter.GroupBy.Count == 0 ? null : meter.GroupBy,
        meter.Metadata,
        null,
        meter.DataFilter.Count == 0 ? null : DataFilterParser.Describe(meter.DataFilter),
        meter.CreatedAt.UtcDateTime,
        meter.UpdatedAt.UtcDateTime);

    /// <summary>OpenMeter's spelling of an aggregation (<c>UNIQUE_COUNT</c>).</summary>
    public static string AggregationName(MeterAggregation aggregation) => aggregation switch
    {
        MeterAggregation.UniqueCount => "UNIQUE_COUNT",
        _ => aggregation.ToString().ToUpperInvariant(),
    };
}

/// <summary>OpenMeter's <c>MeterQueryRequest</c> (the POST body; GET's parameters are read into it).</summary>
public sealed class MeterQueryRequest
{
    public string? ClientId { get; set; }

    public DateTimeOffset? From { get; set; }

    public DateTimeOffset? To { get; set; }

    public string? WindowSize { get; set; }

    public string? WindowTimeZone { get; set; }

    public List<string>? Subject { get; set; }

    public List<string>? FilterCustomerId { get; set; }

    public Dictionary<string, List<string>>? FilterGroupBy { get; set; }

    public List<string>? GroupBy { get; set; }
}

/// <summary>OpenMeter's <c>MeterQueryResult</c>; from, to and windowSize echo the request.</summary>
public sealed record MeterQueryResponse(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WindowSize,
    IReadOnlyList<MeterQueryValue> Data);

/// <summary>OpenMeter's <c>MeterQueryRow</c>: <c>subject</c> is null unless grouped by subject; <c>customerId</c> appears only when grouped by customer.</summary>
public sealed record MeterQueryValue(
    decimal Value,
    DateTime WindowStart,
    DateTime WindowEnd,
    string? Subject,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CustomerId,
    IReadOnlyDictionary<string, string> GroupBy)
{
    public static MeterQueryValue From(MeterQueryRow row) =>
        new(row.Value, row.WindowStart.UtcDateTime, row.WindowEnd.UtcDateTime, row.Subject, row.CustomerId, row.GroupBy);
}

/// <summary>Window sizes by OpenMeter's names.</summary>
internal static class WindowSizes
{
    public static WindowSize? Parse(string text) => text.ToUpperInvariant() switch
    {
        "MINUTE" => WindowSize.Minute,
        "HOUR" => WindowSize.Hour,
        "DAY" => WindowSize.Day,
        "MONTH" => WindowSize.Month,
        _ => null,
    };
}
