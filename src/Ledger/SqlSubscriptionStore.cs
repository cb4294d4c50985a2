using System.Data.Common;
using Dapper;
using Tally.Billing;
using Tally.Billing.Entitlements;
using Tally.Billing.Subscriptions;

namespace Tally.Ledger;

/// <summary>
/// Subscriptions to plan versions. A new subscription is checked against the customer's others inside
/// the write transaction that stores it, with the customer's row locked, so two concurrent requests
/// cannot both leave overlapping subscriptions.
/// </summary>
internal sealed class SqlSubscriptionStore(LedgerDatabase database, SqlEntitlementStore entitlements) : ISubscriptionStore
{
    private const string Columns = "tenant_id, id, customer_id, plan_id, plan_key, plan_version, name, description, metadata, currency, active_from, active_to, created_at, updated_at, deleted_at, billing_anchor";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Subscription subscription, IReadOnlyList<Entitlement> granted, Subscription? ending, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteScalarAsync<string>(LedgerDatabase.Command(
                    $"SELECT id FROM customers WHERE tenant_id = @TenantId AND id = @CustomerId{Dialect.ForUpdate}",
                    new { subscription.TenantId, subscription.CustomerId },
                    transaction,
                    cancellationToken));
                if (ending is not null)
                {
                    await EndAsync(connection, transaction, ending.TenantId, ending.Id, subscription.ActiveFrom, subscription.CreatedAt, cancellationToken);
                }

                var others = await QueryAsync(connection, transaction, "WHERE tenant_id = @TenantId AND customer_id = @CustomerId AND deleted_at IS NULL", new { subscription.TenantId, subscription.CustomerId }, cancellationToken);
                if (others.FirstOrDefault(other => other.Id != subscription.Id && other.Overlaps(subscription.ActiveFrom, subscription.ActiveTo)) is { } overlapping)
                {
                    throw new LedgerConflictException(
                        "customerId",
                        $"the customer's subscription {overlapping.Id} ({overlapping.PlanKey} v{overlapping.PlanVersion}) is in force from {overlapping.ActiveFrom.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}{(overlapping.ActiveTo is { } to ? $" to {to.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}" : " with no end")}; a customer's subscriptions must not overlap (cancel or change it instead).");
                }

                await connection.ExecuteAsync(LedgerDatabase.Command(
                    $"INSERT INTO plan_subscriptions ({Columns}) VALUES (@TenantId, @Id, @CustomerId, @PlanId, @PlanKey, @PlanVersion, @Name, @Description, @Metadata, @Currency, @ActiveFrom, @ActiveTo, @CreatedAt, @UpdatedAt, NULL, @BillingAnchor)",
                    new
                    {
                        subscription.TenantId,
                        subscription.Id,
                        subscription.CustomerId,
                        subscription.PlanId,
                        subscription.PlanKey,
                        PlanVersion = (long)subscription.PlanVersion,
                        subscription.Name,
                        subscription.Description,
                        Metadata = LedgerJson.Write(subscription.Metadata),
                        Currency = subscription.Currency.Code,
                        ActiveFrom = Dialect.Instant(subscription.ActiveFrom),
                        ActiveTo = subscription.ActiveTo is { } activeTo ? Dialect.Instant(activeTo) : null,
                        CreatedAt = Dialect.Instant(subscription.CreatedAt),
                        UpdatedAt = Dialect.Instant(subscription.UpdatedAt),
                        BillingAnchor = subscription.BillingAnchor is { } anchor ? Dialect.Instant(anchor) : null,
                    },
                    transaction,
                    cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE customers SET currency = @Currency WHERE tenant_id = @TenantId AND id = @CustomerId AND currency = ''",
                    new { subscription.TenantId, subscription.CustomerId, Currency = subscription.Currency.Code },
                    transaction,
                    cancellationToken));
                foreach (var entitlement in granted)
                {
                    await entitlements.InsertAsync(connection, transaction, entitlement, [], cancellationToken);
                }
            },
            cancellationToken);

    public Task SetEndAsync(string tenantId, string id, DateTimeOffset? activeTo, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => EndAsync(connection, transaction, tenantId, id, activeTo, at, cancellationToken), cancellationToken);

    public Task DeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var parameters = new { TenantId = tenantId, Id = id, At = Dialect.Instant(at) };
                await connection.ExecuteAsync(LedgerDatabase.Command("UPDATE plan_subscriptions SET deleted_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id", parameters, transaction, cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command("UPDATE entitlements SET deleted_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND subscription_id = @Id", parameters, transaction, cancellationToken));
            },
            cancellationToken);

    public async Task<Subscription?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await database.ReadAsync(connection => QueryAsync(connection, null, "WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken), cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<Subscription>> ListForCustomerAsync(string tenantId, string customerId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QueryAsync(connection, null, "WHERE tenant_id = @TenantId AND customer_id = @CustomerId AND deleted_at IS NULL", new { TenantId = tenantId, CustomerId = customerId }, cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListForCustomersAsync(string tenantId, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QueryAsync(connection, null, $"WHERE tenant_id = @TenantId AND {Dialect.InList("customer_id", "CustomerIds")} AND deleted_at IS NULL", new { TenantId = tenantId, CustomerIds = Dialect.List(customerIds) }, cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListInForceAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QueryAsync(
                connection,
                null,
                "WHERE tenant_id = @TenantId AND deleted_at IS NULL AND active_from < @To AND (active_to IS NULL OR active_to > @From)",
                new { TenantId = tenantId, From = Dialect.Instant(from), To = Dialect.Instant(to) },
                cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<(Subscription Subscription, string TimeZone)>> ListOffCalendarAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<(Subscription, string)>>(
            async connection =>
            {
                var zones = await connection.QueryAsync<(string Id, string TimeZone)>(LedgerDatabase.Command(
                    """
                    SELECT s.id, c.time_zone FROM plan_subscriptions s JOIN customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id
                    WHERE s.tenant_id = @TenantId AND s.deleted_at IS NULL AND s.active_from < @To AND (s.active_to IS NULL OR s.active_to > @From)
                      AND (s.billing_anchor IS NOT NULL OR c.time_zone <> 'UTC')
                    """,
                    new { TenantId = tenantId, From = Dialect.Instant(from), To = Dialect.Instant(to) },
                    null,
                    cancellationToken));
                var byId = zones.ToDictionary(z => z.Id, z => z.TimeZone, StringComparer.Ordinal);
                if (byId.Count == 0)
                {
                    return [];
                }

                var found = new List<(Subscription, string)>(byId.Count);
                foreach (var chunk in byId.Keys.Chunk(500))
                {
                    found.AddRange((await QueryAsync(connection, null, $"WHERE tenant_id = @TenantId AND {Dialect.InList("id", "Ids")}", new { TenantId = tenantId, Ids = Dialect.List(chunk) }, cancellationToken))
                        .Select(subscription => (subscription, byId[subscription.Id])));
                }

                return found;
            },
            cancellationToken);

    /// <summary>
    /// Moves a subscription's end to <paramref name="activeTo"/> and its entitlements with it: those
    /// that ran to the old end (or past the new one) now end at the new end; earlier phases' stay.
    /// </summary>
    private async Task EndAsync(DbConnection connection, DbTransaction transaction, string tenantId, string id, DateTimeOffset? activeTo, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var previous = (await QueryAsync(connection, transaction, "WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken)).FirstOrDefault()?.ActiveTo;
        var parameters = new
        {
            TenantId = tenantId,
            Id = id,
            ActiveTo = activeTo is { } end ? Dialect.Instant(end) : null,
            Previous = previous is { } before ? Dialect.Instant(before) : null,
            At = Dialect.Instant(at),
        };
        await connection.ExecuteAsync(LedgerDatabase.Command("UPDATE plan_subscriptions SET active_to = @ActiveTo, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id", parameters, transaction, cancellationToken));
        var which = (previous, activeTo) switch
        {
            (null, _) => "active_to IS NULL",
            (_, null) => "active_to = @Previous",
            _ => "(active_to = @Previous OR active_to > @ActiveTo)",
        };
        await connection.ExecuteAsync(LedgerDatabase.Command(
            $"UPDATE entitlements SET active_to = @ActiveTo, updated_at = @At WHERE tenant_id = @TenantId AND subscription_id = @Id AND deleted_at IS NULL AND {which}",
            parameters,
            transaction,
            cancellationToken));
    }

    private async Task<IReadOnlyList<Subscription>> QueryAsync(DbConnection connection, DbTransaction? transaction, string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<SubscriptionRow>(LedgerDatabase.Command(
            $"SELECT {Columns} FROM plan_subscriptions {where} ORDER BY customer_id, active_from",
            parameters,
            transaction,
            cancellationToken));
        return [.. rows.Select(row => new Subscription(
            row.TenantId,
            row.Id,
            row.CustomerId,
            row.PlanId,
            row.PlanKey,
            (int)row.PlanVersion,
            row.Name,
            Currency.Parse(row.Currency),
            Dialect.ReadInstant(row.ActiveFrom),
            row.ActiveTo is null ? null : Dialect.ReadInstant(row.ActiveTo),
            Dialect.ReadInstant(row.CreatedAt))
        {
            Description = row.Description,
            Metadata = LedgerJson.Metadata(row.Metadata),
            UpdatedAt = Dialect.ReadInstant(row.UpdatedAt),
            DeletedAt = row.DeletedAt is null ? null : Dialect.ReadInstant(row.DeletedAt),
            BillingAnchor = row.BillingAnchor is null ? null : Dialect.ReadInstant(row.BillingAnchor),
        })];
    }

    private sealed class SubscriptionRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string PlanId { get; set; } = "";

        public string PlanKey { get; set; } = "";

        public long PlanVersion { get; set; }

        public string Name { get; set; } = "";

        public string? Description { get; set; }

        public string? Metadata { get; set; }

        public string Currency { get; set; } = "";

        public object ActiveFrom { get; set; } = null!;

        public object? ActiveTo { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;

        public object? DeletedAt { get; set; }

        public object? BillingAnchor { get; set; }
    }
}
