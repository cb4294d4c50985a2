namespace Tally.Billing.Tenants;

/// <summary>Tenants and their API keys. Keys are returned once, at creation, and stored as SHA-256 hashes.</summary>
public interface ITenantStore
{
    /// <summary>Creates a tenant and its first API key (<c>tly_</c> followed by 43 random base64url characters).</summary>
    Task<(Tenant Tenant, string ApiKey)> CreateAsync(string name, CancellationToken cancellationToken);

    /// <summary>The tenant owning <paramref name="apiKey"/>, or null if no tenant has it.</summary>
    Task<Tenant?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken);

    Task<Tenant?> GetAsync(string tenantId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Sets how long the tenant's events are kept (null: forever); false if there is no such tenant.</summary>
    Task<bool> SetRetentionAsync(string tenantId, int? retentionDays, CancellationToken cancellationToken);

    /// <summary>Sets the tenant's own ingest rate limits (null: the configured default); false if there is no such tenant.</summary>
    Task<bool> SetRateLimitsAsync(string tenantId, int? requestsPerSecond, int? eventsPerSecond, CancellationToken cancellationToken);

    /// <summary>Adds an API key to the tenant and returns it (shown once); null if there is no such tenant.</summary>
    Task<string?> CreateApiKeyAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>Deletes the tenant's API keys starting with <paramref name="prefix"/> (their first 8 characters); returns how many.</summary>
    Task<int> RevokeApiKeysAsync(string tenantId, string prefix, CancellationToken cancellationToken);
}
