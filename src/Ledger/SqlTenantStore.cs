using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Tenants;

namespace Tally.Ledger;

/// <summary>Tenants and their hashed API keys.</summary>
internal sealed class SqlTenantStore(LedgerDatabase database, TimeProvider timeProvider, ILogger<SqlTenantStore> logger) : ITenantStore
{
    private const string KeyPrefix = "tly_";

    private LedgerDialect Dialect => database.Dialect;

    public async Task<(Tenant Tenant, string ApiKey)> CreateAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var tenant = new Tenant(Ids.New("tnt"), name, timeProvider.GetUtcNow());
        var apiKey = NewKey();
        var displayPrefix = apiKey[..8];

        await database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO tenants (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)",
                    new { tenant.Id, tenant.Name, CreatedAt = Dialect.Instant(tenant.CreatedAt) },
                    transaction,
                    cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at) VALUES (@TenantId, @KeyHash, @Prefix, @CreatedAt)",
                    new { TenantId = tenant.Id, KeyHash = Hash(apiKey), Prefix = displayPrefix, CreatedAt = Dialect.Instant(tenant.CreatedAt) },
                    transaction,
                    cancellationToken));
            },
            cancellationToken);

        LedgerLog.TenantCreated(logger, tenant.Id, displayPrefix);
        return (await GetAsync(tenant.Id, cancellationToken) ?? tenant, apiKey);
    }

    public async Task<Tenant?> FindByApiKeyAsync(string apiKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return null;
        }

        var row = await database.ReadAsync(
            connection => connection.QuerySingleOrDefaultAsync<TenantRow>(LedgerDatabase.Command(
                "SELECT t.id, t.name, t.created_at, t.retention_days, t.requests_per_second, t.events_per_second FROM tenants t JOIN api_keys k ON k.tenant_id = t.id WHERE k.key_hash = @KeyHash",
                new { KeyHash = Hash(apiKey) },
                null,
                cancellationToken)),
            cancellationToken);
        return row is null ? null : ToTenant(row);
    }

    public async Task<Tenant?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        var row = await database.ReadAsync(
            connection => connection.QuerySingleOrDefaultAsync<TenantRow>(LedgerDatabase.Command(
                "SELECT id, name, created_at, retention_days, requests_per_second, events_per_second FROM tenants WHERE id = @TenantId",
                new { TenantId = tenantId },
                null,
                cancellationToken)),
            cancellationToken);
        return row is null ? null : ToTenant(row);
    }

    public async Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<TenantRow>(LedgerDatabase.Command(
                "SELECT id, name, created_at, retention_days, requests_per_second, events_per_second FROM tenants ORDER BY created_at, id", null, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(ToTenant)];
    }

    /// <summary>SHA-256 of the key as lower-case hex: what the ledger stores in place of the key.</summary>
    internal static string Hash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    public Task<bool> SetRetentionAsync(string tenantId, int? retentionDays, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE tenants SET retention_days = @Days WHERE id = @TenantId",
                    new { TenantId = tenantId, Days = (long?)retentionDays },
                    transaction,
                    cancellationToken));
                return (changed > 0, true);
            },
            cancellationToken);

    public Task<bool> SetRateLimitsAsync(string tenantId, int? requestsPerSecond, int? eventsPerSecond, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE tenants SET requests_per_second = @Requests, events_per_second = @Events WHERE id = @TenantId",
                    new { TenantId = tenantId, Requests = (long?)requestsPerSecond, Events = (long?)eventsPerSecond },
                    transaction,
                    cancellationToken));
                return (changed > 0, true);
            },
            cancellationToken);

    public async Task<string?> CreateApiKeyAsync(string tenantId, CancellationToken cancellationToken)
    {
        var apiKey = NewKey();
        var created = await database.WriteAsync(
            async (connection, transaction) =>
            {
                var inserted = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO api_keys (tenant_id, key_hash, prefix, created_at) SELECT id, @KeyHash, @Prefix, @CreatedAt FROM tenants WHERE id = @TenantId",
                    new { TenantId = tenantId, KeyHash = Hash(apiKey), Prefix = apiKey[..8], CreatedAt = Dialect.Instant(timeProvider.GetUtcNow()) },
                    transaction,
                    cancellationToken));
                return (inserted > 0, true);
            },
            cancellationToken);
        return created ? apiKey : null;
    }

    public Task<int> RevokeApiKeysAsync(string tenantId, string prefix, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var deleted = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "DELETE FROM api_keys WHERE tenant_id = @TenantId AND prefix = @Prefix",
                    new { TenantId = tenantId, Prefix = prefix },
                    transaction,
                    cancellationToken));
                return (deleted, true);
            },
            cancellationToken);

    private static string NewKey() => KeyPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private Tenant ToTenant(TenantRow row) => new(row.Id, row.Name, Dialect.ReadInstant(row.CreatedAt))
    {
        RetentionDays = (int?)row.RetentionDays,
        RequestsPerSecond = (int?)row.RequestsPerSecond,
        EventsPerSecond = (int?)row.EventsPerSecond,
    };

    private sealed class TenantRow
    {
        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public object CreatedAt { get; set; } = null!;

        public long? RetentionDays { get; set; }

        public long? RequestsPerSecond { get; set; }

        public long? EventsPerSecond { get; set; }
    }
}
