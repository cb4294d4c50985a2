namespace Tally.Bench.Generation;

/// <summary>
/// The shape of the generated traffic: how many tenants and customers (Zipf-skewed), how many distinct
/// groupBy values, batch size and senders, and the shares of re-sent duplicates and late events.
/// </summary>
public sealed record LoadProfile(
    string Name,
    int Tenants,
    int CustomersPerTenant,
    int GroupByValues,
    int Users,
    int BatchSize,
    int HttpSenders,
    int GrpcSenders)
{
    /// <summary>Zipf exponent of the tenants' shares: with 1.2 the first tenant of ten sends about 40%.</summary>
    public double TenantSkew { get; init; } = 1.2;

    /// <summary>Zipf exponent of the customers' shares within a tenant.</summary>
    public double CustomerSkew { get; init; } = 0.8;

    /// <summary>Share of events that are a re-send of an event the tenant sent before (same id, same payload).</summary>
    public double DuplicateShare { get; init; } = 0.01;

    /// <summary>Share of events whose time lies one to two days back (arriving after their hours were rolled up).</summary>
    public double LateShare { get; init; } = 0.005;

    /// <summary>Share of events of the second event type (storage), the rest are prompts.</summary>
    public double StorageShare { get; init; } = 0.1;

    public int Senders => HttpSenders + GrpcSenders;

    public static LoadProfile Small { get; } = new("small", Tenants: 10, CustomersPerTenant: 100, GroupByValues: 4, Users: 500, BatchSize: 100, HttpSenders: 6, GrpcSenders: 2);

    public static LoadProfile Medium { get; } = new("medium", Tenants: 100, CustomersPerTenant: 1_000, GroupByValues: 8, Users: 5_000, BatchSize: 500, HttpSenders: 12, GrpcSenders: 4);

    public static LoadProfile Large { get; } = new("large", Tenants: 1_000, CustomersPerTenant: 10_000, GroupByValues: 16, Users: 50_000, BatchSize: 1_000, HttpSenders: 24, GrpcSenders: 8);

    public static LoadProfile Named(string name) => name switch
    {
        "small" => Small,
        "medium" => Medium,
        "large" => Large,
        _ => throw new ArgumentException($"--profile: unknown profile '{name}'; use small, medium or large."),
    };
}
