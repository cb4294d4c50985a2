using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Tally.Billing.Portal;

namespace Tally.Ledger;

/// <summary>Portal tokens, stored as SHA-256 hashes of their secrets (as API keys are).</summary>
internal sealed class SqlPortalTokenStore(LedgerDatabase database) : IPortalTokenStore
{
    private const string Columns = "tenant_id, id, subject, allowed_meter_slugs, expires_at, created_at, invalidated_at";

    private LedgerDialect Dialect => database.Dialect;

    public async Task<string> CreateAsync(PortalToken token, CancellationToken cancellationToken)
    {
        var secret = PortalToken.Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO portal_tokens ({Columns}, token_hash) VALUES (@TenantId, @Id, @Subject, @AllowedMeterSlugs, @ExpiresAt, @CreatedAt, NULL, @TokenHash)",
                new
                {
                    token.TenantId,
                    token.Id,
                    token.Subject,
                    AllowedMeterSlugs = JsonSerializer.Serialize(token.AllowedMeterSlugs),
                    ExpiresAt = Dialect.Instant(token.ExpiresAt),
                    CreatedAt = Dialect.Instant(token.CreatedAt),
                    TokenHash = SqlTenantStore.Hash(secret),
                },
                transaction,
                cancellationToken)),
            cancellationToken);
        return secret;
    }

    public async Task<PortalToken?> FindAsync(string secret, CancellationToken cancellationToken)
    {
        if (!PortalToken.LooksLikeOne(secret))
        {
            return null;
        }

        var row = await database.ReadAsync(
            connection => connection.QuerySingleOrDefaultAsync<TokenRow>(LedgerDatabase.Command(
                $"SELECT {Columns} FROM portal_tokens WHERE token_hash = @TokenHash",
                new { TokenHash = SqlTenantStore.Hash(secret) },
                null,
                cancellationToken)),
            cancellationToken);
        return row is null ? null : ToToken(row);
    }

    public async Task<IReadOnlyList<PortalToken>> ListAsync(string tenantId, int limit, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<TokenRow>(LedgerDatabase.Command(
                $"SELECT {Columns} FROM portal_tokens WHERE tenant_id = @TenantId AND invalidated_at IS NULL ORDER BY created_at DESC, id DESC LIMIT @Limit",
                new { TenantId = tenantId, Limit = (long)limit },
                null,
                cancellationToken)),
            cancellationToken);
        return [.. rows.Select(ToToken)];
    }

    public Task<int> InvalidateAsync(string tenantId, string? id, string? subject, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (id is null && subject is null)
        {
            throw new ArgumentException("Name the token's id or subject to invalidate.", nameof(id));
        }

        return database.WriteAsync(
            async (connection, transaction) =>
            {
                var filter = "tenant_id = @TenantId";
                filter += id is null ? "" : " AND id = @Id";
                filter += subject is null ? "" : " AND subject = @Subject";
                var parameters = new { TenantId = tenantId, Id = id, Subject = subject, At = Dialect.Instant(at) };
                var matched = await connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
                    $"SELECT COUNT(*) FROM portal_tokens WHERE {filter}", parameters, transaction, cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    $"UPDATE portal_tokens SET invalidated_at = @At WHERE {filter} AND invalidated_at IS NULL", parameters, transaction, cancellationToken));
                return ((int)matched, true);
            },
            cancellationToken);
    }

    public Task<int> DeleteExpiredAsync(string tenantId, DateTimeOffset before, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) => (await connection.ExecuteAsync(LedgerDatabase.Command(
                "DELETE FROM portal_tokens WHERE tenant_id = @TenantId AND expires_at < @Before",
                new { TenantId = tenantId, Before = Dialect.Instant(before) },
                transaction,
                cancellationToken)), true),
            cancellationToken);

    private PortalToken ToToken(TokenRow row) => new(
        row.TenantId,
        row.Id,
        row.Subject,
        JsonSerializer.Deserialize<string[]>(row.AllowedMeterSlugs) ?? [],
        Dialect.ReadInstant(row.ExpiresAt),
        Dialect.ReadInstant(row.CreatedAt))
    {
        InvalidatedAt = row.InvalidatedAt is null ? null : Dialect.ReadInstant(row.InvalidatedAt),
    };

    private sealed class TokenRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string Subject { get; set; } = "";

        public string AllowedMeterSlugs { get; set; } = "[]";

        public object ExpiresAt { get; set; } = null!;

        public object CreatedAt { get; set; } = null!;

        public object? InvalidatedAt { get; set; }
    }
}
