namespace Tally.Ledger;

/// <summary>A numbered schema change. <c>{decimal}</c> and <c>{instant}</c> stand for the dialect's column types.</summary>
internal sealed record LedgerMigration(int Version, string Name, string Sql)
{
    public string For(LedgerDialect dialect) =>
        Sql.Replace("{decimal}", dialect.DecimalType, StringComparison.Ordinal)
           .Replace("{instant}", dialect.InstantType, StringComparison.Ordinal);
}

/// <summary>
/// The ledger schema, oldest first. Append only: a released migration never changes, because
/// databases in the field have recorded it in <c>schema_migrations</c> as applied.
/// Every tenant-owned table leads with tenant_id and references its parent by (tenant_id, id), so
/// the schema itself refuses a row that points at another tenant's data.
/// </summary>
internal static class LedgerMigrations
{
    public const string CreateHistoryTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at {instant} NOT NULL
        )
        """;

    public static IReadOnlyList<LedgerMigration> All { get; } =
    [
        new(1, "initial", """
            CREATE TABLE tenants (
                id TEXT NOT NULL PRIMARY KEY,
                name TEXT NOT NULL,
                created_at {instant} NOT NULL
            );
            CREATE TABLE api_keys (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                key_hash TEXT NOT NULL,
                prefix TEXT NOT NULL,
                created_at {instant} NOT NULL,
                CONSTRAINT ux_api_keys_hash UNIQUE (key_hash)
            );
            CREATE TABLE meters (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                slug TEXT NOT NULL,
                description TEXT NULL,
                event_type TEXT NOT NULL,
                aggregation TEXT NOT NULL,
                value_property TEXT NULL,
                group_by TEXT NOT NULL,
                created_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_meters_slug UNIQUE (tenant_id, slug)
            );
            CREATE TABLE plans (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                plan_key TEXT NOT NULL,
                name TEXT NOT NULL,
                currency TEXT NOT NULL,
                created_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_plans_key UNIQUE (tenant_id, plan_key)
            );
            CREATE TABLE rate_cards (
                tenant_id TEXT NOT NULL,
                plan_id TEXT NOT NULL,
                ordinal BIGINT NOT NULL,
                rate_card_key TEXT NOT NULL,
                meter_slug TEXT NOT NULL,
                unit_price {decimal} NOT NULL,
                PRIMARY KEY (tenant_id, plan_id, ordinal),
                CONSTRAINT ux_rate_cards_key UNIQUE (tenant_id, plan_id, rate_card_key),
                FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id) ON DELETE CASCADE
            );
            CREATE TABLE customers (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                customer_key TEXT NOT NULL,
                name TEXT NOT NULL,
                currency TEXT NOT NULL,
                created_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_customers_key UNIQUE (tenant_id, customer_key)
            );
            CREATE TABLE customer_subjects (
                tenant_id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                ordinal BIGINT NOT NULL,
                subject_key TEXT NOT NULL,
                PRIMARY KEY (tenant_id, customer_id, ordinal),
                CONSTRAINT ux_customer_subjects UNIQUE (tenant_id, subject_key),
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
            );
            CREATE TABLE subscriptions (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                plan_id TEXT NOT NULL,
                active_from {instant} NOT NULL,
                created_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_subscriptions_start UNIQUE (tenant_id, customer_id, active_from),
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
                FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id)
            );
            CREATE TABLE invoice_sequences (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                billing_period TEXT NOT NULL,
                last_seq BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, billing_period)
            );
            CREATE TABLE invoices (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                invoice_number TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                billing_period TEXT NOT NULL,
                currency TEXT NOT NULL,
                total {decimal} NOT NULL,
                status TEXT NOT NULL,
                external_id TEXT NULL,
                issued_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_invoices_period UNIQUE (tenant_id, customer_id, billing_period),
                CONSTRAINT ux_invoices_number UNIQUE (tenant_id, invoice_number),
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
            );
            CREATE TABLE invoice_lines (
                tenant_id TEXT NOT NULL,
                invoice_id TEXT NOT NULL,
                ordinal BIGINT NOT NULL,
                rate_card_key TEXT NOT NULL,
                meter_slug TEXT NOT NULL,
                quantity {decimal} NOT NULL,
                unit_price {decimal} NOT NULL,
                amount {decimal} NOT NULL,
                PRIMARY KEY (tenant_id, invoice_id, ordinal),
                FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
            );
            """),
        new(2, "meters: name, eventFrom, data filter, metadata, updatedAt", """
            ALTER TABLE meters ADD COLUMN name TEXT NULL;
            ALTER TABLE meters ADD COLUMN event_from {instant} NULL;
            ALTER TABLE meters ADD COLUMN data_filter TEXT NULL;
            ALTER TABLE meters ADD COLUMN metadata TEXT NULL;
            ALTER TABLE meters ADD COLUMN updated_at {instant} NULL;
            """),
        new(3, "tenants: event retention", """
            ALTER TABLE tenants ADD COLUMN retention_days BIGINT NULL;
            """),
        // Numbered from 30 on the stripe branch; the merge renumbers it after the other branches' migrations.
        new(30, "payments: apps (sealed keys), customer links, processor object ids", """
            CREATE TABLE payment_apps (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                app_type TEXT NOT NULL,
                name TEXT NOT NULL,
                description TEXT NULL,
                metadata TEXT NULL,
                account_id TEXT NOT NULL,
                livemode BIGINT NOT NULL,
                masked_api_key TEXT NOT NULL,
                sealed_api_key TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_payment_apps_type UNIQUE (tenant_id, app_type)
            );
            CREATE TABLE customer_payment_links (
                tenant_id TEXT NOT NULL,
                app_id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                external_customer_id TEXT NOT NULL,
                default_payment_method_id TEXT NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, app_id, customer_id),
                FOREIGN KEY (tenant_id, app_id) REFERENCES payment_apps (tenant_id, id) ON DELETE CASCADE,
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
            );
            CREATE TABLE payment_objects (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                account TEXT NOT NULL,
                tally_key TEXT NOT NULL,
                external_id TEXT NULL,
                attempted_at {instant} NOT NULL,
                recorded_at {instant} NULL,
                PRIMARY KEY (tenant_id, account, tally_key)
            );
            """),
    ];
}
