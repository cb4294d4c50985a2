using System.Data.Common;
using Dapper;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Entitlements;

namespace Tally.Ledger;

/// <summary>
/// Entitlements, grants and manual resets. At most one entitlement per customer and feature is in force
/// at any instant: checked inside the write transaction, with the customer's row locked.
/// </summary>
internal sealed class SqlEntitlementStore(LedgerDatabase database) : IEntitlementStore
{
    private const string Columns = "tenant_id, id, entitlement_type, customer_id, feature_id, feature_key, subscription_id, usage_period_interval, usage_period_anchor, measure_usage_from, is_soft_limit, preserve_overage, issue_amount, issue_priority, config, metadata, active_from, active_to, created_at, updated_at, deleted_at";
    private const string GrantColumns = "tenant_id, id, entitlement_id, amount, priority, effective_at, expiration_unit, expiration_count, max_rollover, min_rollover, recurrence_interval, recurrence_anchor, metadata, voided_at, created_at, updated_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Entitlement entitlement, IReadOnlyList<Grant> grants, Entitlement? replacing, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                if (replacing is not null)
                {
                    await connection.ExecuteAsync(LedgerDatabase.Command(
                        "UPDATE entitlements SET deleted_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id",
                        new { replacing.TenantId, replacing.Id, At = Dialect.Instant(entitlement.CreatedAt) },
                        transaction,
                        cancellationToken));
                }

                await InsertAsync(connection, transaction, entitlement, grants, cancellationToken);
            },
            cancellationToken);

    /// <summary>Inserts an entitlement (and its issue grant and <paramref name="grants"/>) after checking it overlaps no other of the customer's for the feature.</summary>
    internal async Task InsertAsync(DbConnection connection, DbTransaction transaction, Entitlement entitlement, IReadOnlyList<Grant> grants, CancellationToken cancellationToken)
    {
        await connection.ExecuteScalarAsync<string>(LedgerDatabase.Command(
            $"SELECT id FROM customers WHERE tenant_id = @TenantId AND id = @CustomerId{Dialect.ForUpdate}",
            new { entitlement.TenantId, entitlement.CustomerId },
            transaction,
            cancellationToken));
        var existing = await QueryAsync(
            connection,
            transaction,
            "WHERE tenant_id = @TenantId AND customer_id = @CustomerId AND feature_key = @FeatureKey AND deleted_at IS NULL",
            new { entitlement.TenantId, entitlement.CustomerId, entitlement.FeatureKey },
            cancellationToken);
        if (existing.FirstOrDefault(other => other.ActiveFrom < (entitlement.ActiveTo ?? DateTimeOffset.MaxValue) && (other.ActiveTo ?? DateTimeOffset.MaxValue) > entitlement.ActiveFrom) is { } overlapping)
        {
            throw new LedgerConflictException("featureKey", $"the customer already has entitlement {overlapping.Id} to feature {entitlement.FeatureKey} in force from {overlapping.ActiveFrom.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}; delete or override it first.");
        }

        await connection.ExecuteAsync(LedgerDatabase.Command(
            $"""
            INSERT INTO entitlements ({Columns}) VALUES (@TenantId, @Id, @Type, @CustomerId, @FeatureId, @FeatureKey, @SubscriptionId, @UsagePeriodInterval, @UsagePeriodAnchor,
                @MeasureUsageFrom, @IsSoftLimit, @PreserveOverage, @IssueAmount, @IssuePriority, @Config, @Metadata, @ActiveFrom, @ActiveTo, @CreatedAt, @UpdatedAt, NULL)
            """,
            new
            {
                entitlement.TenantId,
                entitlement.Id,
                Type = entitlement.Type.ToString(),
                entitlement.CustomerId,
                entitlement.FeatureId,
                entitlement.FeatureKey,
                entitlement.SubscriptionId,
                UsagePeriodInterval = entitlement.UsagePeriod?.Interval.ToString(),
                UsagePeriodAnchor = entitlement.UsagePeriod is { } period ? Dialect.Instant(period.Anchor) : null,
                MeasureUsageFrom = entitlement.MeasureUsageFrom is { } from ? Dialect.Instant(from) : null,
                IsSoftLimit = LedgerJson.Flag(entitlement.IsSoftLimit),
                PreserveOverage = LedgerJson.Flag(entitlement.PreserveOverageAtReset),
                IssueAmount = entitlement.IssueAmount is { } issue ? Dialect.Decimal(issue) : null,
                IssuePriority = (long)entitlement.IssuePriority,
                entitlement.Config,
                Metadata = LedgerJson.Write(entitlement.Metadata),
                ActiveFrom = Dialect.Instant(entitlement.ActiveFrom),
                ActiveTo = entitlement.ActiveTo is { } to ? Dialect.Instant(to) : null,
                CreatedAt = Dialect.Instant(entitlement.CreatedAt),
                UpdatedAt = Dialect.Instant(entitlement.UpdatedAt),
            },
            transaction,
            cancellationToken));
        var all = entitlement.IssueGrant() is { } issued ? [issued, .. grants] : grants;
        foreach (var grant in all)
        {
            await InsertGrantAsync(connection, transaction, grant, cancellationToken);
        }
    }

    public Task<bool> DeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE entitlements SET deleted_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id AND deleted_at IS NULL",
                    new { TenantId = tenantId, Id = id, At = Dialect.Instant(at) },
                    transaction,
                    cancellationToken));
                return (changed > 0, true);
            },
            cancellationToken);

    public async Task<Entitlement?> GetAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await database.ReadAsync(connection => QueryAsync(connection, null, "WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken), cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<Entitlement>> ListForCustomerAsync(string tenantId, string customerId, bool includeDeleted, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QueryAsync(
                connection,
                null,
                $"WHERE tenant_id = @TenantId AND customer_id = @CustomerId{(includeDeleted ? "" : " AND deleted_at IS NULL")}",
                new { TenantId = tenantId, CustomerId = customerId },
                cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<Entitlement>> ListForCustomersAsync(string tenantId, IReadOnlyCollection<string> customerIds, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QueryAsync(
                connection,
                null,
                $"WHERE tenant_id = @TenantId AND {Dialect.InList("customer_id", "CustomerIds")} AND deleted_at IS NULL",
                new { TenantId = tenantId, CustomerIds = Dialect.List(customerIds) },
                cancellationToken),
            cancellationToken);

    public Task<IReadOnlyList<Entitlement>> ListAsync(string tenantId, bool includeDeleted, CancellationToken cancellationToken) =>
        database.ReadAsync(
            connection => QueryAsync(connection, null, $"WHERE tenant_id = @TenantId{(includeDeleted ? "" : " AND deleted_at IS NULL")}", new { TenantId = tenantId }, cancellationToken),
            cancellationToken);

    public Task CreateGrantAsync(Grant grant, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => InsertGrantAsync(connection, transaction, grant, cancellationToken), cancellationToken);

    public async Task<Grant?> GetGrantAsync(string tenantId, string grantId, CancellationToken cancellationToken) =>
        (await QueryGrantsAsync("WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = grantId }, cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<Grant>> ListGrantsAsync(string tenantId, string? entitlementId, CancellationToken cancellationToken) =>
        QueryGrantsAsync(
            entitlementId is null ? "WHERE tenant_id = @TenantId" : "WHERE tenant_id = @TenantId AND entitlement_id = @EntitlementId",
            new { TenantId = tenantId, EntitlementId = entitlementId },
            cancellationToken);

    public Task<IReadOnlyList<Grant>> ListGrantsOfAsync(string tenantId, IReadOnlyCollection<string> entitlementIds, CancellationToken cancellationToken) =>
        entitlementIds.Count == 0
            ? Task.FromResult<IReadOnlyList<Grant>>([])
            : QueryGrantsAsync($"WHERE tenant_id = @TenantId AND {Dialect.InList("entitlement_id", "EntitlementIds")}", new { TenantId = tenantId, EntitlementIds = Dialect.List(entitlementIds) }, cancellationToken);

    public Task<bool> VoidGrantAsync(string tenantId, string grantId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE grants SET voided_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id AND voided_at IS NULL",
                    new { TenantId = tenantId, Id = grantId, At = Dialect.Instant(at) },
                    transaction,
                    cancellationToken));
                return (changed > 0, true);
            },
            cancellationToken);

    public Task AddResetAsync(string tenantId, string entitlementId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                "INSERT INTO entitlement_resets (tenant_id, entitlement_id, reset_at) VALUES (@TenantId, @EntitlementId, @At) ON CONFLICT DO NOTHING",
                new { TenantId = tenantId, EntitlementId = entitlementId, At = Dialect.Instant(at) },
                transaction,
                cancellationToken)),
            cancellationToken);

    private Task InsertGrantAsync(DbConnection connection, DbTransaction transaction, Grant grant, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(LedgerDatabase.Command(
            $"""
            INSERT INTO grants ({GrantColumns}) VALUES (@TenantId, @Id, @EntitlementId, @Amount, @Priority, @EffectiveAt, @ExpirationUnit, @ExpirationCount,
                @MaxRollover, @MinRollover, @RecurrenceInterval, @RecurrenceAnchor, @Metadata, @VoidedAt, @CreatedAt, @UpdatedAt)
            """,
            new
            {
                grant.TenantId,
                grant.Id,
                grant.EntitlementId,
                Amount = Dialect.Decimal(grant.Amount),
                Priority = (long)grant.Priority,
                EffectiveAt = Dialect.Instant(grant.EffectiveAt),
                ExpirationUnit = grant.Expiration?.Unit.ToString(),
                ExpirationCount = (long?)grant.Expiration?.Count,
                MaxRollover = Dialect.Decimal(grant.MaxRolloverAmount),
                MinRollover = Dialect.Decimal(grant.MinRolloverAmount),
                RecurrenceInterval = grant.Recurrence?.Interval.ToString(),
                RecurrenceAnchor = grant.Recurrence is { } recurrence ? Dialect.Instant(recurrence.Anchor) : null,
                Metadata = LedgerJson.Write(grant.Metadata),
                VoidedAt = grant.VoidedAt is { } voided ? Dialect.Instant(voided) : null,
                CreatedAt = Dialect.Instant(grant.CreatedAt),
                UpdatedAt = Dialect.Instant(grant.UpdatedAt),
            },
            transaction,
            cancellationToken));

    private async Task<IReadOnlyList<Entitlement>> QueryAsync(DbConnection connection, DbTransaction? transaction, string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<EntitlementRow>(LedgerDatabase.Command($"SELECT {Columns} FROM entitlements {where} ORDER BY feature_key, active_from, created_at, id", parameters, transaction, cancellationToken))).ToList();
        var resetRows = rows.Count == 0
            ? []
            : await connection.QueryAsync<(string EntitlementId, object ResetAt)>(LedgerDatabase.Command(
                $"SELECT entitlement_id, reset_at FROM entitlement_resets WHERE tenant_id = @TenantId AND {Dialect.InList("entitlement_id", "Ids")} ORDER BY reset_at",
                new { rows[0].TenantId, Ids = Dialect.List(rows.Select(r => r.Id)) },
                transaction,
                cancellationToken));
        var resets = resetRows.ToLookup(r => r.EntitlementId, r => Dialect.ReadInstant(r.ResetAt));
        return [.. rows.Select(row => new Entitlement(
            row.TenantId,
            row.Id,
            Enum.Parse<EntitlementType>(row.EntitlementType),
            row.CustomerId,
            row.FeatureId,
            row.FeatureKey,
            Dialect.ReadInstant(row.ActiveFrom),
            row.ActiveTo is null ? null : Dialect.ReadInstant(row.ActiveTo),
            Dialect.ReadInstant(row.CreatedAt))
        {
            SubscriptionId = row.SubscriptionId,
            Metadata = LedgerJson.Metadata(row.Metadata),
            UsagePeriod = row.UsagePeriodInterval is null || row.UsagePeriodAnchor is null ? null : new RecurringPeriod(IsoDuration.Parse(row.UsagePeriodInterval), Dialect.ReadInstant(row.UsagePeriodAnchor)),
            MeasureUsageFrom = row.MeasureUsageFrom is null ? null : Dialect.ReadInstant(row.MeasureUsageFrom),
            IsSoftLimit = row.IsSoftLimit != 0,
            PreserveOverageAtReset = row.PreserveOverage != 0,
            IssueAmount = row.IssueAmount is null ? null : Dialect.ReadDecimal(row.IssueAmount),
            IssuePriority = (int)row.IssuePriority,
            Config = row.Config,
            Resets = [.. resets[row.Id]],
            UpdatedAt = Dialect.ReadInstant(row.UpdatedAt),
            DeletedAt = row.DeletedAt is null ? null : Dialect.ReadInstant(row.DeletedAt),
        })];
    }

    private async Task<IReadOnlyList<Grant>> QueryGrantsAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<GrantRow>(LedgerDatabase.Command($"SELECT {GrantColumns} FROM grants {where} ORDER BY created_at, id", parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(row => new Grant(
            row.TenantId,
            row.Id,
            row.EntitlementId,
            Dialect.ReadDecimal(row.Amount),
            (int)row.Priority,
            Dialect.ReadInstant(row.EffectiveAt),
            Dialect.ReadInstant(row.CreatedAt))
        {
            Expiration = row.ExpirationUnit is null ? null : new GrantExpiration(Enum.Parse<ExpirationUnit>(row.ExpirationUnit), (int)(row.ExpirationCount ?? 0)),
            MaxRolloverAmount = Dialect.ReadDecimal(row.MaxRollover),
            MinRolloverAmount = Dialect.ReadDecimal(row.MinRollover),
            Recurrence = row.RecurrenceInterval is null || row.RecurrenceAnchor is null ? null : new RecurringPeriod(IsoDuration.Parse(row.RecurrenceInterval), Dialect.ReadInstant(row.RecurrenceAnchor)),
            Metadata = LedgerJson.Metadata(row.Metadata),
            VoidedAt = row.VoidedAt is null ? null : Dialect.ReadInstant(row.VoidedAt),
            UpdatedAt = Dialect.ReadInstant(row.UpdatedAt),
        })];
    }

    private sealed class EntitlementRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string EntitlementType { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string FeatureId { get; set; } = "";

        public string FeatureKey { get; set; } = "";

        public string? SubscriptionId { get; set; }

        public string? UsagePeriodInterval { get; set; }

        public object? UsagePeriodAnchor { get; set; }

        public object? MeasureUsageFrom { get; set; }

        public long IsSoftLimit { get; set; }

        public long PreserveOverage { get; set; }

        public object? IssueAmount { get; set; }

        public long IssuePriority { get; set; }

        public string? Config { get; set; }

        public string? Metadata { get; set; }

        public object ActiveFrom { get; set; } = null!;

        public object? ActiveTo { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;

        public object? DeletedAt { get; set; }
    }

    private sealed class GrantRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string EntitlementId { get; set; } = "";

        public object Amount { get; set; } = null!;

        public long Priority { get; set; }

        public object EffectiveAt { get; set; } = null!;

        public string? ExpirationUnit { get; set; }

        public long? ExpirationCount { get; set; }

        public object MaxRollover { get; set; } = null!;

        public object MinRollover { get; set; } = null!;

        public string? RecurrenceInterval { get; set; }

        public object? RecurrenceAnchor { get; set; }

        public string? Metadata { get; set; }

        public object? VoidedAt { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;
    }
}
