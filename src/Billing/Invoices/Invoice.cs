namespace Tally.Billing.Invoices;

/// <summary>OpenMeter's invoice types: an invoice, or a credit note that gives money back.</summary>
public enum InvoiceKind
{
    Standard,
    CreditNote,
}

/// <summary>Where an invoice is in its life. Only a draft changes; an issued invoice is never edited, only voided.</summary>
public enum InvoiceStatus
{
    /// <summary>Rated and checked, not issued yet (OpenMeter's <c>draft</c>).</summary>
    Draft,

    /// <summary>A draft waiting for a person to approve or reject it (<c>draft.manual_approval_needed</c>).</summary>
    PendingApproval,

    /// <summary>Issued with its number; immutable from here on.</summary>
    Issued,

    /// <summary>Voided: a rejected draft, or an issued invoice withdrawn (compensation); it keeps its number.</summary>
    Voided,
}

/// <summary>
/// A customer's invoice (or credit note) for a billing period. At most one live standard invoice per
/// customer and period; corrections are further documents that name the invoice they correct
/// (<see cref="Corrects"/>), never edits. The number is assigned when it is issued, from a gap-free
/// sequence per tenant.
/// </summary>
public sealed record Invoice(
    string TenantId,
    string Id,
    InvoiceKind Kind,
    string CustomerId,
    BillingPeriod Period,
    DateTimeOffset PeriodFrom,
    DateTimeOffset PeriodTo,
    Currency Currency,
    IReadOnlyList<InvoiceLine> Lines,
    decimal Total,
    InvoiceStatus Status,
    DateTimeOffset CreatedAt)
{
    /// <summary>Assigned at issue (<c>INV-000042</c>, credit notes <c>CN-000007</c>); null before.</summary>
    public string? Number { get; init; }

    /// <summary>The close run that made it (null for documents made otherwise).</summary>
    public string? CloseRunId { get; init; }

    /// <summary>For an adjustment invoice or a credit note: the invoice it corrects.</summary>
    public string? Corrects { get; init; }

    /// <summary>The usage it bills: events stored at or before this instant (the frozen usage).</summary>
    public DateTimeOffset? UsageCutoff { get; init; }

    public DateTimeOffset? IssuedAt { get; init; }

    public DateTimeOffset? VoidedAt { get; init; }

    public string? VoidReason { get; init; }

    /// <summary>The payment processor's id of the document (Stripe's invoice or credit note), once pushed.</summary>
    public string? ExternalId { get; init; }

    /// <summary>What the data-quality checks found (a critical one holds the invoice for review).</summary>
    public IReadOnlyList<InvoiceIssue> Issues { get; init; } = [];

    /// <summary>Who approved or rejected it, when it needed a person.</summary>
    public string? ReviewedBy { get; init; }
}

/// <summary>
/// One line of an invoice. <see cref="Key"/> is stable for what the line is (rate card, or late usage of
/// a period), which is what payment-processor idempotency keys derive from. <see cref="Amount"/> is
/// rounded to the currency.
/// </summary>
public sealed record InvoiceLine(string Key, string Description, string? RateCardKey, string? MeterSlug, decimal Quantity, decimal? UnitPrice, decimal Amount)
{
    /// <summary>For a late-usage adjustment: the closed period it corrects.</summary>
    public BillingPeriod? Covers { get; init; }

    /// <summary>How rating arrived at the amount (tiers, discounts, commitments, grants), as JSON.</summary>
    public string? Detail { get; init; }
}

/// <summary>A data-quality finding on an invoice: <c>critical</c> holds it for review, <c>warning</c> does not.</summary>
public sealed record InvoiceIssue(string Code, string Severity, string Message)
{
    public const string Critical = "critical";
    public const string Warning = "warning";
}
