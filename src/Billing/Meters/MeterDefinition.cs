namespace Tally.Billing.Meters;

/// <summary>How a meter folds event values into one number per window (OpenMeter's names).</summary>
public enum MeterAggregation
{
    /// <summary>Sum of the numbers at valueProperty.</summary>
    Sum,

    /// <summary>Number of events; valueProperty is not used.</summary>
    Count,

    /// <summary>Mean of the numbers at valueProperty (sum divided by count of those events, never a mean of means).</summary>
    Avg,

    /// <summary>Smallest number at valueProperty.</summary>
    Min,

    /// <summary>Largest number at valueProperty.</summary>
    Max,

    /// <summary>Exact number of distinct values at valueProperty (by their JSON text; missing and null values are not counted).</summary>
    UniqueCount,

    /// <summary>The number at valueProperty of the event with the latest time; ties go to the greatest (source, id).</summary>
    Latest,
}

/// <summary>
/// What a tenant measures: events of <see cref="EventType"/> (from <see cref="EventFrom"/> on, and only those
/// whose data passes <see cref="DataFilter"/>), the value at <see cref="ValueProperty"/> (a JSONPath into
/// the event's data such as <c>$.tokens</c>), folded by <see cref="Aggregation"/>, split by the
/// <see cref="GroupBy"/> properties (name to JSONPath). Meters are computed over the stored events, so a
/// new meter counts every retained event of its type at once.
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
    DateTimeOffset CreatedAt)
{
    /// <summary>Display name; the slug unless set.</summary>
    public string Name { get; init; } = Slug;

    /// <summary>Events before this instant are not metered (OpenMeter's <c>eventFrom</c>).</summary>
    public DateTimeOffset? EventFrom { get; init; }

    /// <summary>Conditions on the event's data that every metered event meets (a Tally extension).</summary>
    public IReadOnlyList<DataCondition> DataFilter { get; init; } = [];

    /// <summary>Free-form labels, as OpenMeter's <c>metadata</c>.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public DateTimeOffset UpdatedAt { get; init; } = CreatedAt;

    /// <summary>True for aggregations that read a number at <see cref="ValueProperty"/> (all but COUNT and UNIQUE_COUNT).</summary>
    public bool NeedsNumber => Aggregation is not (MeterAggregation.Count or MeterAggregation.UniqueCount);
}
