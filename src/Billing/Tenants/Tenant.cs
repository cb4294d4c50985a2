namespace Tally.Billing.Tenants;

/// <summary>A SaaS company using Tally. Its API keys are stored only as hashes.</summary>
public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>The shortest event retention a tenant may choose: a whole billing period and its grace.</summary>
    public const int MinimumRetentionDays = 35;

    /// <summary>How long stored events are kept, in days; null keeps them (the default).</summary>
    public int? RetentionDays { get; init; }

    /// <summary>The tenant's own limit of ingest requests per second; null uses the configured default.</summary>
    public int? RequestsPerSecond { get; init; }

    /// <summary>The tenant's own limit of ingested events per second; null uses the configured default.</summary>
    public int? EventsPerSecond { get; init; }
}
