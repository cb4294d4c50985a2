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
        new(10, "catalog: features, plan versions with phases, OpenMeter customer fields", """
            CREATE TABLE features (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                feature_key TEXT NOT NULL,
                name TEXT NOT NULL,
                meter_slug TEXT NULL,
                filters TEXT NOT NULL,
                metadata TEXT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                archived_at {instant} NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE UNIQUE INDEX ux_features_key ON features (tenant_id, feature_key) WHERE archived_at IS NULL;
            CREATE TABLE plan_versions (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                plan_key TEXT NOT NULL,
                version BIGINT NOT NULL,
                name TEXT NOT NULL,
                description TEXT NULL,
                metadata TEXT NULL,
                currency TEXT NOT NULL,
                billing_cadence TEXT NOT NULL,
                pro_rating BIGINT NOT NULL,
                phases TEXT NOT NULL,
                effective_from {instant} NULL,
                effective_to {instant} NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                deleted_at {instant} NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_plan_versions_version UNIQUE (tenant_id, plan_key, version)
            );
            CREATE UNIQUE INDEX ux_plan_versions_draft ON plan_versions (tenant_id, plan_key) WHERE effective_from IS NULL AND deleted_at IS NULL;
            ALTER TABLE customers ADD COLUMN description TEXT NULL;
            ALTER TABLE customers ADD COLUMN primary_email TEXT NULL;
            ALTER TABLE customers ADD COLUMN metadata TEXT NULL;
            ALTER TABLE customers ADD COLUMN billing_address TEXT NULL;
            ALTER TABLE customers ADD COLUMN updated_at {instant} NULL;
            ALTER TABLE customers ADD COLUMN deleted_at {instant} NULL;
            """),
        new(11, "subscriptions of plan versions, entitlements, grants and resets", """
            CREATE TABLE plan_subscriptions (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                plan_id TEXT NOT NULL,
                plan_key TEXT NOT NULL,
                plan_version BIGINT NOT NULL,
                name TEXT NOT NULL,
                description TEXT NULL,
                metadata TEXT NULL,
                currency TEXT NOT NULL,
                active_from {instant} NOT NULL,
                active_to {instant} NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                deleted_at {instant} NULL,
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
                FOREIGN KEY (tenant_id, plan_id) REFERENCES plan_versions (tenant_id, id)
            );
            CREATE INDEX ix_plan_subscriptions_customer ON plan_subscriptions (tenant_id, customer_id, active_from);
            CREATE TABLE entitlements (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                entitlement_type TEXT NOT NULL,
                customer_id TEXT NOT NULL,
                feature_id TEXT NOT NULL,
                feature_key TEXT NOT NULL,
                subscription_id TEXT NULL,
                usage_period_interval TEXT NULL,
                usage_period_anchor {instant} NULL,
                measure_usage_from {instant} NULL,
                is_soft_limit BIGINT NOT NULL,
                preserve_overage BIGINT NOT NULL,
                issue_amount {decimal} NULL,
                issue_priority BIGINT NOT NULL,
                config TEXT NULL,
                metadata TEXT NULL,
                active_from {instant} NOT NULL,
                active_to {instant} NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                deleted_at {instant} NULL,
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
            );
            CREATE INDEX ix_entitlements_customer ON entitlements (tenant_id, customer_id);
            CREATE TABLE grants (
                tenant_id TEXT NOT NULL,
                id TEXT NOT NULL,
                entitlement_id TEXT NOT NULL,
                amount {decimal} NOT NULL,
                priority BIGINT NOT NULL,
                effective_at {instant} NOT NULL,
                expiration_unit TEXT NULL,
                expiration_count BIGINT NULL,
                max_rollover {decimal} NOT NULL,
                min_rollover {decimal} NOT NULL,
                recurrence_interval TEXT NULL,
                recurrence_anchor {instant} NULL,
                metadata TEXT NULL,
                voided_at {instant} NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                FOREIGN KEY (tenant_id, entitlement_id) REFERENCES entitlements (tenant_id, id)
            );
            CREATE INDEX ix_grants_entitlement ON grants (tenant_id, entitlement_id);
            CREATE TABLE entitlement_resets (
                tenant_id TEXT NOT NULL,
                entitlement_id TEXT NOT NULL,
                reset_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, entitlement_id, reset_at),
                FOREIGN KEY (tenant_id, entitlement_id) REFERENCES entitlements (tenant_id, id)
            );
            """),
        new(12, "notifications: webhook channels, rules, events once per dedupe key, deliveries", """
            CREATE TABLE notification_channels (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                name TEXT NOT NULL,
                url TEXT NOT NULL,
                disabled BIGINT NOT NULL,
                signing_secret TEXT NOT NULL,
                custom_headers TEXT NULL,
                metadata TEXT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                deleted_at {instant} NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE notification_rules (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                name TEXT NOT NULL,
                rule_type TEXT NOT NULL,
                disabled BIGINT NOT NULL,
                channels TEXT NOT NULL,
                thresholds TEXT NOT NULL,
                features TEXT NOT NULL,
                metadata TEXT NULL,
                created_at {instant} NOT NULL,
                updated_at {instant} NOT NULL,
                deleted_at {instant} NULL,
                PRIMARY KEY (tenant_id, id)
            );
            CREATE TABLE notification_events (
                tenant_id TEXT NOT NULL REFERENCES tenants (id),
                id TEXT NOT NULL,
                rule_id TEXT NOT NULL,
                event_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                dedupe_key TEXT NOT NULL,
                feature_key TEXT NULL,
                subject_key TEXT NULL,
                created_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, id),
                CONSTRAINT ux_notification_events_dedupe UNIQUE (tenant_id, dedupe_key)
            );
            CREATE TABLE notification_deliveries (
                tenant_id TEXT NOT NULL,
                event_id TEXT NOT NULL,
                channel_id TEXT NOT NULL,
                state TEXT NOT NULL,
                reason TEXT NOT NULL,
                attempts TEXT NOT NULL,
                next_attempt_at {instant} NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (tenant_id, event_id, channel_id),
                FOREIGN KEY (tenant_id, event_id) REFERENCES notification_events (tenant_id, id)
            );
            CREATE INDEX ix_notification_deliveries_due ON notification_deliveries (next_attempt_at);
            """),
        new(13, "grain state: the rating grains' storage on the ledger", """
            CREATE TABLE grain_state (
                grain_type TEXT NOT NULL,
                grain_id TEXT NOT NULL,
                etag TEXT NOT NULL,
                state TEXT NOT NULL,
                updated_at {instant} NOT NULL,
                PRIMARY KEY (grain_type, grain_id)
            );
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
        new(40, "billing cycles: customer time zone, subscription billing anchor", """
            ALTER TABLE customers ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
            ALTER TABLE plan_subscriptions ADD COLUMN billing_anchor {instant} NULL;
            """),
    ];
}
