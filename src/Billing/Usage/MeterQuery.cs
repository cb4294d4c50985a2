namespace Tally.Billing.Usage;

/// <summary>Window sizes of a meter query, OpenMeter's names.</summary>
public enum WindowSize
{
    Minute,
    Hour,
    Day,
}

/// <summary>
/// A meter query as OpenMeter's <c>GET /api/v1/meters/{meter}/query</c> takes it. Without
/// <see cref="WindowSize"/>, one value per subject and group covers the whole range.
/// </summary>
public sealed record MeterQuery(
    string TenantId,
    string MeterId,
    DateTimeOffset From,
    DateTimeOffset To,
    WindowSize? WindowSize,
    IReadOnlyList<string> Subjects,
    bool GroupBySubject,
    IReadOnlyList<string> GroupBy,
    IReadOnlyDictionary<string, string> FilterGroupBy)
{
    /// <summary>False when the caller left <c>from</c> out (the query then starts at the earliest data).</summary>
    public bool FromGiven { get; init; } = true;

    /// <summary>False when the caller left <c>to</c> out (the query then ends now).</summary>
    public bool ToGiven { get; init; } = true;
}

/// <summary>One value of a meter query result.</summary>
public sealed record MeterQueryRow(
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string? Subject,
    IReadOnlyDictionary<string, string?> GroupBy,
    decimal Value);
