using Dapper;
using Tally.Billing.Payments;

namespace Tally.Ledger;

/// <summary>The processor's ids of what Tally created there, one row per tenant, account namespace and Tally key.</summary>
internal sealed class SqlPaymentObjectStore(LedgerDatabase database) : IPaymentObjectStore
{
    private LedgerDialect Dialect => database.Dialect;

    public async Task<IReadOnlyDictionary<string, PaymentObjectState>> FindAsync(string tenantId, string account, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return new Dictionary<string, PaymentObjectState>();
        }

        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<ObjectRow>(LedgerDatabase.Command(
                $"SELECT tally_key, external_id, attempted_at FROM payment_objects WHERE tenant_id = @TenantId AND account = @Account AND {Dialect.InList("tally_key", "Keys")}",
                new { TenantId = tenantId, Account = account, Keys = Dialect.List(keys) },
                null,
                cancellationToken)),
            cancellationToken);
        return rows.ToDictionary(row => row.TallyKey, row => new PaymentObjectState(row.TallyKey, row.ExternalId, Dialect.ReadInstant(row.AttemptedAt)), StringComparer.Ordinal);
    }

    public Task MarkAttemptedAsync(string tenantId, string account, IReadOnlyCollection<string> keys, DateTimeOffset at, CancellationToken cancellationToken) =>
        keys.Count == 0
            ? Task.CompletedTask
            : database.WriteAsync(
                (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO payment_objects (tenant_id, account, tally_key, external_id, attempted_at, recorded_at)
                    VALUES (@TenantId, @Account, @Key, NULL, @At, NULL)
                    ON CONFLICT (tenant_id, account, tally_key) DO NOTHING
                    """,
                    keys.Select(key => new { TenantId = tenantId, Account = account, Key = key, At = Dialect.Instant(at) }),
                    transaction,
                    cancellationToken)),
                cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> RecordAsync(string tenantId, string account, IReadOnlyDictionary<string, string> externalIds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (externalIds.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        return await database.WriteAsync<IReadOnlyDictionary<string, string>>(
            async (connection, transaction) =>
            {
                // The first id recorded wins; a later writer (a concurrent push of the same document) keeps it.
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO payment_objects (tenant_id, account, tally_key, external_id, attempted_at, recorded_at)
                    VALUES (@TenantId, @Account, @Key, @ExternalId, @At, @At)
                    ON CONFLICT (tenant_id, account, tally_key) DO UPDATE SET external_id = excluded.external_id, recorded_at = excluded.recorded_at
                    WHERE payment_objects.external_id IS NULL
                    """,
                    externalIds.Select(pair => new { TenantId = tenantId, Account = account, pair.Key, ExternalId = pair.Value, At = Dialect.Instant(at) }),
                    transaction,
                    cancellationToken));
                var stored = await connection.QueryAsync<ObjectRow>(LedgerDatabase.Command(
                    $"SELECT tally_key, external_id, attempted_at FROM payment_objects WHERE tenant_id = @TenantId AND account = @Account AND {Dialect.InList("tally_key", "Keys")}",
                    new { TenantId = tenantId, Account = account, Keys = Dialect.List(externalIds.Keys) },
                    transaction,
                    cancellationToken));
                return (stored.ToDictionary(row => row.TallyKey, row => row.ExternalId!, StringComparer.Ordinal), true);
            },
            cancellationToken);
    }

    private sealed class ObjectRow
    {
        public string TallyKey { get; set; } = "";

        public string? ExternalId { get; set; }

        public object AttemptedAt { get; set; } = null!;
    }
}
