using System.Data.Common;
using Dapper;
using Tally.Billing;
using Tally.Billing.Customers;

namespace Tally.Ledger;

/// <summary>Customers with their subject keys. A deleted customer keeps its row (invoices refer to it) and gives up its subjects.</summary>
internal sealed class SqlCustomerStore(LedgerDatabase database) : ICustomerStore
{
    private const int FewCustomers = 100;

    private const string Columns = "c.tenant_id, c.id, c.customer_key, c.name, c.currency, c.created_at, c.description, c.primary_email, c.metadata, c.billing_address, c.updated_at, c.deleted_at, c.time_zone";

    private LedgerDialect Dialect => database.Dialect;

    public Task CreateAsync(Customer customer, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    INSERT INTO customers (tenant_id, id, customer_key, name, currency, created_at, description, primary_email, metadata, billing_address, updated_at, time_zone)
                    VALUES (@TenantId, @Id, @Key, @Name, @Currency, @CreatedAt, @Description, @PrimaryEmail, @Metadata, @BillingAddress, @UpdatedAt, @TimeZone)
                    """,
                    Parameters(customer),
                    transaction,
                    cancellationToken));
                await InsertSubjectsAsync(connection, transaction, customer, cancellationToken);
            },
            cancellationToken);

    public Task UpdateAsync(Customer customer, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    """
                    UPDATE customers SET customer_key = @Key, name = @Name, currency = @Currency, description = @Description, primary_email = @PrimaryEmail,
                        metadata = @Metadata, billing_address = @BillingAddress, updated_at = @UpdatedAt, time_zone = @TimeZone
                    WHERE tenant_id = @TenantId AND id = @Id
                    """,
                    Parameters(customer),
                    transaction,
                    cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "DELETE FROM customer_subjects WHERE tenant_id = @TenantId AND customer_id = @Id",
                    new { customer.TenantId, customer.Id },
                    transaction,
                    cancellationToken));
                await InsertSubjectsAsync(connection, transaction, customer, cancellationToken);
            },
            cancellationToken);

    public Task DeleteAsync(string tenantId, string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var parameters = new { TenantId = tenantId, Id = id, At = Dialect.Instant(at) };
                await connection.ExecuteAsync(LedgerDatabase.Command("UPDATE customers SET deleted_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND id = @Id", parameters, transaction, cancellationToken));
                await connection.ExecuteAsync(LedgerDatabase.Command("DELETE FROM customer_subjects WHERE tenant_id = @TenantId AND customer_id = @Id", parameters, transaction, cancellationToken));
            },
            cancellationToken);

    public async Task<Customer?> GetAsync(string tenantId, string idOrKey, CancellationToken cancellationToken)
    {
        // Unordered: ORDER BY customer_key would make SQLite walk the tenant's key index instead of
        // looking the id and the key up (MULTI-INDEX OR), a scan of every customer per lookup.
        var customers = await QueryAsync("AND c.deleted_at IS NULL AND (c.id = @Value OR c.customer_key = @Value)", new { TenantId = tenantId, Value = idOrKey }, cancellationToken, ordered: false);
        return customers.FirstOrDefault(c => c.Id == idOrKey) ?? customers.FirstOrDefault();
    }

    public async Task<IReadOnlyList<Customer>> GetManyAsync(string tenantId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var found = new List<Customer>(ids.Count);
        foreach (var chunk in ids.Chunk(500))
        {
            // Unordered: ORDER BY customer_key would walk every customer of the tenant to pick these out.
            found.AddRange(await QueryAsync($"AND c.deleted_at IS NULL AND {Dialect.InList("c.id", "Ids")}", new { TenantId = tenantId, Ids = Dialect.List(chunk) }, cancellationToken, ordered: false));
        }

        return found;
    }

    public Task<IReadOnlyList<Customer>> ListAsync(string tenantId, CancellationToken cancellationToken, bool includeDeleted = false) =>
        QueryAsync(includeDeleted ? "" : "AND c.deleted_at IS NULL", new { TenantId = tenantId }, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> CustomerIdsBySubjectAsync(string tenantId, IReadOnlyCollection<string> subjects, CancellationToken cancellationToken)
    {
        if (subjects.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        // One statement for the whole list: it travels as one parameter (a JSON array unpacked by SQLite, an array in PostgreSQL).
        return await database.ReadAsync(
            async connection =>
            {
                var owners = new Dictionary<string, string>(subjects.Count, StringComparer.Ordinal);
                foreach (var (subject, customer) in await connection.QueryAsync<(string SubjectKey, string CustomerId)>(LedgerDatabase.Command(
                    $"SELECT subject_key, customer_id FROM customer_subjects WHERE tenant_id = @TenantId AND {Dialect.InList("subject_key", "Subjects")}",
                    new { TenantId = tenantId, Subjects = Dialect.List(subjects) },
                    null,
                    cancellationToken)))
                {
                    owners[subject] = customer;
                }

                return (IReadOnlyDictionary<string, string>)owners;
            },
            cancellationToken);
    }

    private static Task InsertSubjectsAsync(DbConnection connection, DbTransaction transaction, Customer customer, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(LedgerDatabase.Command(
            "INSERT INTO customer_subjects (tenant_id, customer_id, ordinal, subject_key) VALUES (@TenantId, @CustomerId, @Ordinal, @SubjectKey)",
            customer.SubjectKeys.Select((subject, i) => new { customer.TenantId, CustomerId = customer.Id, Ordinal = (long)i, SubjectKey = subject }),
            transaction,
            cancellationToken));

    private object Parameters(Customer customer) => new
    {
        customer.TenantId,
        customer.Id,
        customer.Key,
        customer.Name,
        Currency = customer.Currency?.Code ?? "",
        CreatedAt = Dialect.Instant(customer.CreatedAt),
        customer.Description,
        customer.PrimaryEmail,
        Metadata = LedgerJson.Write(customer.Metadata),
        BillingAddress = LedgerJson.Write(customer.BillingAddress),
        UpdatedAt = Dialect.Instant(customer.UpdatedAt),
        customer.TimeZone,
    };

    private Task<IReadOnlyList<Customer>> QueryAsync(string filter, object parameters, CancellationToken cancellationToken, bool ordered = true) =>
        database.ReadAsync<IReadOnlyList<Customer>>(
            async connection =>
            {
                var customers = (await connection.QueryAsync<CustomerRow>(LedgerDatabase.Command(
                    $"SELECT {Columns} FROM customers c WHERE c.tenant_id = @TenantId {filter}{(ordered ? " ORDER BY c.customer_key" : "")}",
                    parameters,
                    null,
                    cancellationToken))).AsList();
                // A few customers (a lookup by id or key): their subjects by primary key. Joining instead
                // would read every subject of the tenant, once per lookup, which grows with the tenant.
                var subjects = (await connection.QueryAsync<SubjectRow>(customers.Count <= FewCustomers
                    ? LedgerDatabase.Command(
                        $"SELECT s.customer_id, s.subject_key FROM customer_subjects s WHERE s.tenant_id = @TenantId AND {Dialect.InList("s.customer_id", "Ids")} ORDER BY s.customer_id, s.ordinal",
                        new { TenantId = customers.FirstOrDefault()?.TenantId ?? "", Ids = Dialect.List(customers.Select(c => c.Id)) },
                        null,
                        cancellationToken)
                    : LedgerDatabase.Command(
                        $"SELECT s.customer_id, s.subject_key FROM customer_subjects s JOIN customers c ON c.tenant_id = s.tenant_id AND c.id = s.customer_id WHERE s.tenant_id = @TenantId {filter} ORDER BY s.customer_id, s.ordinal",
                        parameters,
                        null,
                        cancellationToken))).ToLookup(s => s.CustomerId);
                return [.. customers.Select(c =>
                {
                    var createdAt = Dialect.ReadInstant(c.CreatedAt);
                    return new Customer(
                        c.TenantId,
                        c.Id,
                        c.CustomerKey,
                        c.Name,
                        [.. subjects[c.Id].Select(s => s.SubjectKey)],
                        c.Currency.Length == 0 ? null : Currency.Parse(c.Currency),
                        createdAt)
                    {
                        Description = c.Description,
                        PrimaryEmail = c.PrimaryEmail,
                        Metadata = LedgerJson.Metadata(c.Metadata),
                        BillingAddress = LedgerJson.Read<Address>(c.BillingAddress),
                        UpdatedAt = c.UpdatedAt is null ? createdAt : Dialect.ReadInstant(c.UpdatedAt),
                        DeletedAt = c.DeletedAt is null ? null : Dialect.ReadInstant(c.DeletedAt),
                        TimeZone = c.TimeZone,
                    };
                })];
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

        public string? Description { get; set; }

        public string? PrimaryEmail { get; set; }

        public string? Metadata { get; set; }

        public string? BillingAddress { get; set; }

        public object? UpdatedAt { get; set; }

        public object? DeletedAt { get; set; }

        public string TimeZone { get; set; } = "";
    }

    private sealed class SubjectRow
    {
        public string CustomerId { get; set; } = "";

        public string SubjectKey { get; set; } = "";
    }
}
