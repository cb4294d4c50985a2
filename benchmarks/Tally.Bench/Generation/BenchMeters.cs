namespace Tally.Bench.Generation;

/// <summary>
/// A meter every bench tenant gets, and how to read its value from a generated event (for the expected totals).
/// </summary>
public sealed record BenchMeter(
    string Slug,
    string EventType,
    string Aggregation,
    string? ValueProperty,
    IReadOnlyDictionary<string, string> GroupBy,
    Func<GeneratedEvent, decimal>? Number,
    Func<GeneratedEvent, string>? Raw);

/// <summary>The meters of a bench tenant: every aggregation type, over two event types, with groupBy.</summary>
public static class BenchMeters
{
    private static readonly Dictionary<string, string> ByModelAndRegion = new() { ["model"] = "$.model", ["region"] = "$.region" };
    private static readonly Dictionary<string, string> ByModel = new() { ["model"] = "$.model" };
    private static readonly Dictionary<string, string> ByBucket = new() { ["bucket"] = "$.bucket" };
    private static readonly Dictionary<string, string> None = [];

    public static IReadOnlyList<BenchMeter> All { get; } =
    [
        new("tokens", GeneratedEvent.PromptType, "SUM", "$.tokens", ByModelAndRegion, e => e.Tokens, null),
        new("prompts", GeneratedEvent.PromptType, "COUNT", null, ByModel, null, null),
        new("latency-avg", GeneratedEvent.PromptType, "AVG", "$.latency_ms", ByModel, Latency, null),
        new("latency-min", GeneratedEvent.PromptType, "MIN", "$.latency_ms", None, Latency, null),
        new("latency-max", GeneratedEvent.PromptType, "MAX", "$.latency_ms", None, Latency, null),
        new("active-users", GeneratedEvent.PromptType, "UNIQUE_COUNT", "$.user", ByModel, null, e => e.User),
        new("storage-gb", GeneratedEvent.StorageType, "LATEST", "$.gb", ByBucket, Gigabytes, null),
        new("storage-writes", GeneratedEvent.StorageType, "COUNT", null, ByBucket, null, null),
    ];

    private static decimal Latency(GeneratedEvent e) => e.LatencyMilli / 1000m;

    private static decimal Gigabytes(GeneratedEvent e) => e.GbCenti / 100m;
}
