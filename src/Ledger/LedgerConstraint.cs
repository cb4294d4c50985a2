namespace Tally.Ledger;

/// <summary>A uniqueness rule of the ledger schema and the contract field a violation is reported on.</summary>
internal sealed record LedgerConstraint(string Name, string SqliteColumns, string Field)
{
    private static readonly LedgerConstraint[] All =
    [
        new("tenants_pkey", "tenants.id", "id"),
        new("ux_api_keys_hash", "api_keys.key_hash", "apiKey"),
        new("meters_pkey", "meters.tenant_id, meters.id", "id"),
        new("ux_meters_slug", "meters.tenant_id, meters.slug", "slug"),
        new("plans_pkey", "plans.tenant_id, plans.id", "id"),
        new("ux_plans_key", "plans.tenant_id, plans.plan_key", "key"),
        new("ux_rate_cards_key", "rate_cards.tenant_id, rate_cards.plan_id, rate_cards.rate_card_key", "rateCards.key"),
        new("customers_pkey", "customers.tenant_id, customers.id", "id"),
        new("ux_customers_key", "customers.tenant_id, customers.customer_key", "key"),
        new("ux_customer_subjects", "customer_subjects.tenant_id, customer_subjects.subject_key", "usageAttribution.subjectKeys"),
        new("subscriptions_pkey", "subscriptions.tenant_id, subscriptions.id", "id"),
        new("ux_subscriptions_start", "subscriptions.tenant_id, subscriptions.customer_id, subscriptions.active_from", "customerId"),
        new("billing_invoices_pkey", "billing_invoices.tenant_id, billing_invoices.id", "id"),
        new("ux_billing_invoices_period", "billing_invoices.tenant_id, billing_invoices.customer_id, billing_invoices.billing_period", "period"),
        new("ux_billing_invoices_run", "billing_invoices.tenant_id, billing_invoices.close_run_id, billing_invoices.customer_id", "customerId"),
        new("ux_billing_invoices_number", "billing_invoices.tenant_id, billing_invoices.invoice_number", "number"),
        new("ux_close_runs_period", "close_runs.tenant_id, close_runs.billing_period", "period"),
        new("portal_tokens_pkey", "portal_tokens.tenant_id, portal_tokens.id", "id"),
        new("ux_portal_tokens_hash", "portal_tokens.token_hash", "token"),
        new("ux_features_key", "features.tenant_id, features.feature_key", "key"),
        new("ux_plan_versions_version", "plan_versions.tenant_id, plan_versions.plan_key, plan_versions.version", "key"),
        new("ux_plan_versions_draft", "plan_versions.tenant_id, plan_versions.plan_key", "key"),
        new("ux_notification_events_dedupe", "notification_events.tenant_id, notification_events.dedupe_key", "dedupeKey"),
        new("grain_state_pkey", "grain_state.grain_type, grain_state.grain_id", "etag"),
        new("payment_apps_pkey", "payment_apps.tenant_id, payment_apps.id", "id"),
        new("ux_payment_apps_type", "payment_apps.tenant_id, payment_apps.app_type", "type"),
    ];

    public static LedgerConstraint? FromName(string name) =>
        Array.Find(All, c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public static LedgerConstraint? FromSqliteColumns(string columns) =>
        Array.Find(All, c => string.Equals(c.SqliteColumns, columns, StringComparison.Ordinal));
}
