using Tally.Billing.Meters;

namespace Tally.Billing.Catalog;

/// <summary>
/// Something a customer is entitled to or billed for (OpenMeter's feature): metered when it names a
/// meter, optionally narrowed to the meter's events whose groupBy values pass <see cref="Filters"/>.
/// Archiving keeps it for what already uses it; new entitlements and plans cannot use it.
/// </summary>
public sealed record Feature(
    string TenantId,
    string Id,
    string Key,
    string Name,
    string? MeterSlug,
    IReadOnlyList<FeatureFilter> Filters,
    IReadOnlyDictionary<string, string>? Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt)
{
    public bool IsMetered => MeterSlug is not null;

    public bool Equals(Feature? other) =>
        other is not null && TenantId == other.TenantId && Id == other.Id && Key == other.Key && Name == other.Name && MeterSlug == other.MeterSlug
        && Filters.SequenceEqual(other.Filters) && CreatedAt == other.CreatedAt && UpdatedAt == other.UpdatedAt && ArchivedAt == other.ArchivedAt
        && (Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual((other.Metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal));

    public override int GetHashCode() => HashCode.Combine(TenantId, Id, Key);

    /// <summary>
    /// The feature's meter as the usage store reads it: <paramref name="meter"/> with the feature's
    /// filters added to its data filter (each on the JSONPath of the groupBy property it names).
    /// </summary>
    public MeterDefinition Measure(MeterDefinition meter) => Filters.Count == 0
        ? meter
        : meter with
        {
            DataFilter = [.. meter.DataFilter, .. Filters.Select(filter => new DataCondition(meter.GroupBy[filter.GroupBy], filter.Operator, filter.Values))],
        };
}

/// <summary>A condition on one of the meter's groupBy properties, e.g. <c>model $in [gpt-4, gpt-4o]</c>.</summary>
public sealed record FeatureFilter(string GroupBy, DataOperator Operator, IReadOnlyList<string> Values)
{
    public bool Equals(FeatureFilter? other) => other is not null && GroupBy == other.GroupBy && Operator == other.Operator && Values.SequenceEqual(other.Values);

    public override int GetHashCode() => HashCode.Combine(GroupBy, Operator, Values.Count);
}
