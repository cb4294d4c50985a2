using System.Text.Json;
using Dapper;
using Tally.Billing.Payments;

namespace Tally.Ledger;

/// <summary>Installed payment apps (the secret key only as the adapter sealed it) and customer links.</summary>
internal sealed class SqlPaymentAppStore(LedgerDatabase database) : IPaymentAppStore
{
    private const string Columns = "tenant_id, id, app_type, name, description, metadata, account_id, livemode, masked_api_key, sealed_api_key, status, created_at, updated_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(PaymentApp app, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO payment_apps ({Columns}) VALUES (@TenantId, @Id, @Type, @Name, @Description, @Metadata, @AccountId, @Livemode, @MaskedApiKey, @SealedApiKey, @Status, @CreatedAt, @UpdatedAt)",
                Parameters(app),
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<PaymentApp?> GetAsync(string tenantId, string appId, CancellationToken cancellationToken) =>
        (await QueryAsync("AND id = @AppId", new { TenantId = tenantId, AppId = appId }, cancellationToken)).SingleOrDefault();

    public async Task<PaymentApp?> FindByTypeAsync(string tenantId, string type, CancellationToken cancellationToken) =>
        (await QueryAsync("AND app_type = @Type", new { TenantId = tenantId, Type = type }, cancellationToken)).SingleOrDefault();

    public async Task<(IReadOnlyList<PaymentApp> Items, int TotalCount)> ListAsync(string tenantId, int page, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var items = await QueryAsync(
            "ORDER BY created_at, id LIMIT @Limit OFFSET @Offset",
            new { TenantId = tenantId, Limit = (long)pageSize, Offset = (long)(page - 1) * pageSize },
            cancellationToken);
        var total = await database.ReadAsync(
            connection => connection.ExecuteScalarAsync<long>(LedgerDatabase.Command(
                "SELECT COUNT(*) FROM payment_apps WHERE tenant_id = @TenantId", new { TenantId = tenantId }, null, cancellationToken)),
            cancellationToken);
        return (items, (int)total);
    }

    public async Task<bool> UpdateAsync(PaymentApp app, CancellationToken cancellationToken) =>
        await database.WriteAsync(
            async (connection, transaction) => (await connection.ExecuteAsync(LedgerDatabase.Command(
                """
                UPDATE payment_apps SET name = @Name, description = @Description, metadata = @Metadata, masked_api_key = @MaskedApiKey,
                    sealed_api_key = @SealedApiKey, status = @Status, updated_at = @UpdatedAt
                WHERE tenant_id = @TenantId AND id = @Id
                """,
                Parameters(app),
                transaction,
                cancellationToken)) == 1, true),
            cancellationToken);

    public async Task<bool> DeleteAsync(string tenantId, string appId, CancellationToken cancellationToken) =>
        // The app's customer links go with it (ON DELETE CASCADE).
        await database.WriteAsync(
            async (connection, transaction) => (await connection.ExecuteAsync(LedgerDatabase.Command(
                "DELETE FROM payment_apps WHERE tenant_id = @TenantId AND id = @AppId", new { TenantId = tenantId, AppId = appId }, transaction, cancellationToken)) == 1, true),
            cancellationToken);

    public Task<CustomerPaymentLink?> GetLinkAsync(string tenantId, string appId, string customerId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection =>
            {
                var row = await connection.QuerySingleOrDefaultAsync<LinkRow>(LedgerDatabase.Command(
                    """
                    SELECT tenant_id, app_id, customer_id, external_customer_id, default_payment_method_id, updated_at FROM customer_payment_links
                    WHERE tenant_id = @TenantId AND app_id = @AppId AND customer_id = @CustomerId
                    """,
                    new { TenantId = tenantId, AppId = appId, CustomerId = customerId },
                    null,
                    cancellationToken));
                return row is null
                    ? null
                    : new CustomerPaymentLink(row.TenantId, row.AppId, row.CustomerId, row.ExternalCustomerId, row.DefaultPaymentMethodId, Dialect.ReadInstant(row.UpdatedAt));
            },
            cancellationToken);

    public Task UpsertLinkAsync(CustomerPaymentLink link, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                """
                INSERT INTO customer_payment_links (tenant_id, app_id, customer_id, external_customer_id, default_payment_method_id, updated_at)
                VALUES (@TenantId, @AppId, @CustomerId, @ExternalCustomerId, @DefaultPaymentMethodId, @UpdatedAt)
                ON CONFLICT (tenant_id, app_id, customer_id) DO UPDATE SET external_customer_id = excluded.external_customer_id,
                    default_payment_method_id = excluded.default_payment_method_id, updated_at = excluded.updated_at
                """,
                new { link.TenantId, link.AppId, link.CustomerId, link.ExternalCustomerId, link.DefaultPaymentMethodId, UpdatedAt = Dialect.Instant(link.UpdatedAt) },
                transaction,
                cancellationToken)),
            cancellationToken);

    private object Parameters(PaymentApp app) => new
    {
        app.TenantId,
        app.Id,
        app.Type,
        app.Name,
        app.Description,
        Metadata = app.Metadata is null ? null : JsonSerializer.Serialize(app.Metadata),
        app.AccountId,
        Livemode = app.Livemode ? 1L : 0L,
        app.MaskedApiKey,
        app.SealedApiKey,
        Status = app.Status.ToString(),
        CreatedAt = Dialect.Instant(app.CreatedAt),
        UpdatedAt = Dialect.Instant(app.UpdatedAt),
    };

    private Task<IReadOnlyList<PaymentApp>> QueryAsync(string filter, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<PaymentApp>>(
            async connection =>
            {
                var rows = await connection.QueryAsync<AppRow>(LedgerDatabase.Command(
                    $"SELECT {Columns} FROM payment_apps WHERE tenant_id = @TenantId {filter}", parameters, null, cancellationToken));
                return [.. rows.Select(ToApp)];
            },
            cancellationToken);

    private PaymentApp ToApp(AppRow row) => new(
        row.TenantId,
        row.Id,
        row.AppType,
        row.Name,
        row.Description,
        row.Metadata is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(row.Metadata),
        row.AccountId,
        row.Livemode != 0,
        row.MaskedApiKey,
        row.SealedApiKey,
        Enum.Parse<PaymentAppStatus>(row.Status),
        Dialect.ReadInstant(row.CreatedAt),
        Dialect.ReadInstant(row.UpdatedAt));

    private sealed class AppRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string AppType { get; set; } = "";

        public string Name { get; set; } = "";

        public string? Description { get; set; }

        public string? Metadata { get; set; }

        public string AccountId { get; set; } = "";

        public long Livemode { get; set; }

        public string MaskedApiKey { get; set; } = "";

        public string SealedApiKey { get; set; } = "";

        public string Status { get; set; } = "";

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;
    }

    private sealed class LinkRow
    {
        public string TenantId { get; set; } = "";

        public string AppId { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string ExternalCustomerId { get; set; } = "";

        public string? DefaultPaymentMethodId { get; set; }

        public object UpdatedAt { get; set; } = null!;
    }
}
