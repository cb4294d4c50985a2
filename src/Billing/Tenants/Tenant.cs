namespace Tally.Billing.Tenants;

/// <summary>A SaaS company using Tally. Its API keys are stored only as hashes.</summary>
public sealed record Tenant(string Id, string Name, DateTimeOffset CreatedAt);
