using Dapper;
using Tally.Billing;
using Tally.Billing.Customers;

namespace Tally.Ledger;

/// <summary>Customers with their subject keys, and their subscriptions.</summary>
internal sealed class SqlCustomerStore(LedgerDatabase database) : ICustomerStore
{
    private const string SubscriptionColumns = "tenant_id, id, customer_id, plan_id, active_from, created_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Customer customer, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO customers (tenant_id, id, customer_key, name, currency, created_at) VALUES (@TenantId, @Id, @Key, @Name, @Currency, @CreatedAt)",
                    new { customer.TenantId, customer.Id, customer.Key, customer.Name, Currency = customer.Currency.Code, CreatedAt = Dialect.Instant(customer.CreatedAt) },
                    transaction,
                    cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "INSERT INTO customer_subjects (tenant_id, customer_id, ordinal, subject_key) VALUES (@TenantId, @CustomerId, @Ordinal, @SubjectKey)",
                    customer.SubjectKeys.Select((subject, i) => new { customer.TenantId, CustomerId = customer.Id, Ordinal = (long)i, SubjectKey = subject }),
                    transaction,
                    cancellationToken));
            },
            cancellationToken);

    public async Task<Customer?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken)
    {
        var customers = await QueryAsync("AND (c.id = @Value OR c.customer_key = @Value)", new { TenantId = tenantId, Value = idOrKey }, cancellationToken);
        return customers.Count == 0 ? null : customers[0];
    }

    public Task<IReadOnlyList<Customer>> ListAsync(string tenantId, CancellationToken cancellationToken) =>
        QueryAsync("", new { TenantId = tenantId }, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> CustomerIdsBySubjectAsync(string tenantId, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken)
    {
        if (subjects.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<(string SubjectKey, string CustomerId)>(LedgerDatabase.Command(
                $"SELECT subject_key, customer_id FROM customer_subjects WHERE tenant_id = @TenantId AND {database.Dialect.InList("subject_key", "@Subjects")}",
                new { TenantId = tenantId, Subjects = subjects.ToArray() },
                null,
                cancellationToken)),
            cancellationToken);
        return rows.ToDictionary(row => row.SubjectKey, row => row.CustomerId, StringComparer.Ordinal);
    }

    public Task CreateSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"INSERT INTO subscriptions ({SubscriptionColumns}) VALUES (@TenantId, @Id, @CustomerId, @PlanId, @ActiveFrom, @CreatedAt)",
                new
                {
                    subscription.TenantId,
                    subscription.Id,
                    subscription.CustomerId,
                    subscription.PlanId,
                    ActiveFrom = Dialect.Instant(subscription.ActiveFrom),
                    CreatedAt = Dialect.Instant(subscription.CreatedAt),
                },
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<Subscription?> GetActiveSubscriptionAsync(string tenantId, string customerId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // SQLite compares the fixed-width ISO-8601 text, PostgreSQL the timestamptz: both order by instant.
        var row = await database.ReadAsync(
            connection => connection.QueryFirstOrDefaultAsync<SubscriptionRow>(LedgerDatabase.Command(
                $"SELECT {SubscriptionColumns} FROM subscriptions WHERE tenant_id = @TenantId AND customer_id = @CustomerId AND active_from <= @At ORDER BY active_from DESC LIMIT 1",
                new { TenantId = tenantId, CustomerId = customerId, At = Dialect.Instant(at) },
                null,
                cancellationToken)),
            cancellationToken);
        return row is null
            ? null
            : new Subscription(row.TenantId, row.Id, row.CustomerId, row.PlanId, Dialect.ReadInstant(row.ActiveFrom), Dialect.ReadInstant(row.CreatedAt));
    }

    private Task<IReadOnlyList<Customer>> QueryAsync(string filter, object parameters, CancellationToken cancellationToken) =>
        database.ReadAsync<IReadOnlyList<Customer>>(
            async connection =>
            {
                var customers = await connection.QueryAsync<CustomerRow>(LedgerDatabase.Command(
                    $"SELECT c.tenant_id, c.id, c.customer_key, c.name, c.currency, c.created_at FROM customers c WHERE c.tenant_id = @TenantId {filter} ORDER BY c.customer_key",
                    parameters,
                    null,
                    cancellationToken));
                var subjects = (await connection.QueryAsync<SubjectRow>(LedgerDatabase.Command(
                    $"SELECT s.customer_id, s.subject_key FROM customer_subjects s JOIN customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id WHERE s.tenant_id = @TenantId {filter} ORDER BY s.customer_id, s.ordinal",
                    parameters,
                    null,
                    cancellationToken))).ToLookup(s => s.CustomerId);
                return [.. customers.Select(c => new Customer(
                    c.TenantId,
                    c.Id,
                    c.CustomerKey,
                    c.Name,
                    [.. subjects[c.Id].Select(s => s.SubjectKey)],
                    Currency.Parse(c.Currency),
                    Dialect.ReadInstant(c.CreatedAt)))];
            },
            cancellationToken);

    private sealed class CustomerRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string CustomerKey { get; set; } = "";

        public string Name { get; set; } = "";

        public string Currency { get; set; } = "";

        public object CreatedAt { get; set; } = null!;
    }

    private sealed class SubjectRow
    {
        public string CustomerId { get; set; } = "";

        public string SubjectKey { get; set; } = "";
    }

    private sealed class SubscriptionRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string CustomerId { get; set; } = "";

        public string PlanId { get; set; } = "";

        public object ActiveFrom { get; set; } = null!;

        public object CreatedAt { get; set; } = null!;
    }
}
