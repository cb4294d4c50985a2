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
        new("invoices_pkey", "invoices.tenant_id, invoices.id", "id"),
        new("ux_invoices_period", "invoices.tenant_id, invoices.customer_id, invoices.billing_period", "period"),
        new("ux_invoices_number", "invoices.tenant_id, invoices.invoice_number", "number"),
        new("payment_apps_pkey", "payment_apps.tenant_id, payment_apps.id", "id"),
        new("ux_payment_apps_type", "payment_apps.tenant_id, payment_apps.app_type", "type"),
    ];

    public static LedgerConstraint? FromName(string name) =>
        Array.Find(All, c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public static LedgerConstraint? FromSqliteColumns(string columns) =>
        Array.Find(All, c => string.Equals(c.SqliteColumns, columns, StringComparison.Ordinal));
}
