namespace Tally.Billing.Invoices;

/// <summary>Where an invoice is in its life.</summary>
public enum InvoiceStatus
{
    /// <summary>Issued in the ledger; not pushed (yet), or the tenant has no payment processor app.</summary>
    Issued,

    /// <summary>Issued and created in the tenant's Stripe account (<see cref="Invoice.ExternalId"/> is Stripe's id).</summary>
    Pushed,
}

/// <summary>
/// One invoice per customer and billing period. The ledger enforces that uniqueness, which makes a
/// period close exactly-once in effect however often it runs.
/// </summary>
public sealed record Invoice(
    string TenantId,
    string Id,
    string Number,
    string CustomerId,
    BillingPeriod Period,
    Currency Currency,
    IReadOnlyList<InvoiceLine> Lines,
    decimal Total,
    InvoiceStatus Status,
    string? ExternalId,
    DateTimeOffset IssuedAt);

/// <summary>A priced quantity of one meter's usage. <see cref="Amount"/> is rounded to the currency.</summary>
public sealed record InvoiceLine(string RateCardKey, string MeterSlug, decimal Quantity, decimal UnitPrice, decimal Amount);
