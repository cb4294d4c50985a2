namespace Tally.Ledger;

/// <summary>
/// A numbered schema change. <c>{decimal}</c> and <c>{instant}</c> stand for the dialect's column types;
/// <c>{period_from}</c> and <c>{period_to}</c> for the instants a <c>billing_period</c> column's month starts and ends.
/// </summary>
internal sealed record LedgerMigration(int Version, string Name, string Sql)
{
    public string For(LedgerDialect dialect) =>
        Sql.Replace("{decimal}", dialect.DecimalType, StringComparison.Ordinal)
           .Replace("{instant}", dialect.InstantType, StringComparison.Ordinal)
           .Replace("{period_from}", dialect.MonthStart("billing_period"), StringComparison.Ordinal)
           .Replace("{period_to}", dialect.MonthEnd("billing_period"), StringComparison.Ordinal);
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
        new(4, "tenants: ingest rate limits", """
            ALTER TABLE tenants ADD COLUMN requests_per_second BIGINT NULL;
            ALTER TABLE tenants ADD COLUMN events_per_second BIGINT NULL;
            """),
        new(5, "portal tokens", """
            CREATE TABLE portal_tokens (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                token_hash TEXT NOT NULL,
                subject TEXT NOT NULL,
                allowed_meter_slugs TEXT NOT NULL,
                expires_at {instant} NOT NULL,
                created_at {instant} NOT NULL,
                invalidated_at {instant} NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_portal_tokens_hash UNIQUE (token_hash)
            );
            CREATE INDEX ix_portal_tokens_subject ON portal_tokens (tenant_id, subject);
            CREATE INDEX ix_portal_tokens_created ON portal_tokens (tenant_id, created_at);
            """),
        new(20, "invoice lifecycle (draft, approval, issue, void, credit notes) and durable close runs", """
            CREATE TABLE billing_invoices (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                kind TEXT NOT NULL,
                invoice_number TEXT NULL,
                customer_id TEXT NOT NULL,
                billing_period TEXT NOT NULL,
                period_from {instant} NOT NULL,
                period_to {instant} NOT NULL,
                currency TEXT NOT NULL,
                total {decimal} NOT NULL,
                status TEXT NOT NULL,
                close_run_id TEXT NULL,
                corrects TEXT NULL,
                usage_cutoff {instant} NULL,
                created_at {instant} NOT NULL,
                issued_at {instant} NULL,
                voided_at {instant} NULL,
                void_reason TEXT NULL,
                external_id TEXT NULL,
                issues TEXT NULL,
                reviewed_by TEXT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_billing_invoices_number UNIQUE (tenant_id, invoice_number),
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
            );
            CREATE UNIQUE INDEX ux_billing_invoices_period ON billing_invoices (tenant_id, customer_id, billing_period)
                WHERE kind = 'Standard' AND corrects IS NULL AND status <> 'Voided';
            CREATE UNIQUE INDEX ux_billing_invoices_run ON billing_invoices (tenant_id, close_run_id, customer_id)
                WHERE close_run_id IS NOT NULL AND status <> 'Voided';
            CREATE INDEX ix_billing_invoices_customer ON billing_invoices (tenant_id, customer_id, billing_period);
            CREATE TABLE billing_invoice_lines (
                tenant_id TEXT NOT NULL,
                invoice_id TEXT NOT NULL,
                ordinal BIGINT NOT NULL,
                line_key TEXT NOT NULL,
                description TEXT NOT NULL,
                rate_card_key TEXT NULL,
                meter_slug TEXT NULL,
                quantity {decimal} NOT NULL,
                unit_price {decimal} NULL,
                amount {decimal} NOT NULL,
                covers TEXT NULL,
                detail TEXT NULL,
                PRIMARY KEY (tenant_id, invoice_id, ordinal),
                FOREIGN KEY (tenant_id, invoice_id) REFERENCES billing_invoices (tenant_id, id)
            );
            INSERT INTO billing_invoices (tenant_id, id, kind, invoice_number, customer_id, billing_period, period_from, period_to, currency, total, status, created_at, issued_at, external_id)
                SELECT tenant_id, id, 'Standard', invoice_number, customer_id, billing_period, {period_from}, {period_to}, currency, total, 'Issued', issued_at, issued_at, external_id FROM invoices;
            INSERT INTO billing_invoice_lines (tenant_id, invoice_id, ordinal, line_key, description, rate_card_key, meter_slug, quantity, unit_price, amount)
                SELECT tenant_id, invoice_id, ordinal, rate_card_key, meter_slug, rate_card_key, meter_slug, quantity, unit_price, amount FROM invoice_lines;
            DROP TABLE invoice_lines;
            DROP TABLE invoices;
            DROP TABLE invoice_sequences;
            CREATE TABLE invoice_number_sequences (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                series TEXT NOT NULL,
                last_seq BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, series)
            );
            CREATE TABLE close_runs (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                billing_period TEXT NOT NULL,
                kind TEXT NOT NULL,
                dry_run BIGINT NOT NULL,
                customer_id TEXT NULL,
                requested_by TEXT NOT NULL,
                code_version TEXT NOT NULL,
                created_at {instant} NOT NULL,
                history_count BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE UNIQUE INDEX ux_close_runs_period ON close_runs (tenant_id, billing_period) WHERE kind = 'Close' AND dry_run = 0 AND customer_id IS NULL;
            CREATE TABLE close_tasks (
                tenant_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                step TEXT NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                next_attempt_at {instant} NOT NULL,
                invoice_id TEXT NULL,
                error TEXT NULL,
                lease_token TEXT NULL,
                lease_owner TEXT NULL,
                lease_until {instant} NULL,
                previous_owner TEXT NULL,
                history_count BIGINT NOT NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, run_id, customer_id),
                FOREIGN KEY (tenant_id, run_id) REFERENCES close_runs (tenant_id, id)
            );
            CREATE INDEX ix_close_tasks_due ON close_tasks (step, state, next_attempt_at);
            CREATE INDEX ix_close_tasks_invoice ON close_tasks (tenant_id, invoice_id);
            CREATE TABLE close_usage (
                tenant_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                usage_key TEXT NOT NULL,
                covers TEXT NOT NULL,
                quantity {decimal} NOT NULL,
                cutoff {instant} NOT NULL,
                PRIMARY KEY (tenant_id, run_id, customer_id, covers, usage_key),
                FOREIGN KEY (tenant_id, run_id, customer_id) REFERENCES close_tasks (tenant_id, run_id, customer_id)
            );
            CREATE TABLE close_history (
                tenant_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                ordinal BIGINT NOT NULL,
                at {instant} NOT NULL,
                step TEXT NOT NULL,
                outcome TEXT NOT NULL,
                attempt BIGINT NOT NULL,
                detail TEXT NULL,
                worker TEXT NOT NULL,
                PRIMARY KEY (tenant_id, run_id, customer_id, ordinal),
                FOREIGN KEY (tenant_id, run_id) REFERENCES close_runs (tenant_id, id)
            );
            CREATE TABLE billing_outbox (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                invoice_id TEXT NULL,
                payload TEXT NOT NULL,
                created_at {instant} NOT NULL,
                published_at {instant} NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE INDEX ix_billing_outbox_unpublished ON billing_outbox (published_at, created_at);
            """),
    ];
}
