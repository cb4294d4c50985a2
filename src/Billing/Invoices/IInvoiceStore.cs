namespace Tally.Billing.Invoices;

/// <summary>
/// Invoices and credit notes. Close runs create and issue them (through the close-run store, in the
/// same transaction as the step that makes them); this is how everything else reads and voids them.
/// </summary>
public interface IInvoiceStore
{
    Task<Invoice?> GetAsync(string tenantId, string invoiceId, CancellationToken cancellationToken);

    /// <summary>The tenant's documents matching <paramref name="filter"/>, newest period first, and how many match in all.</summary>
    Task<(IReadOnlyList<Invoice> Page, int Total)> ListAsync(string tenantId, InvoiceFilter filter, CancellationToken cancellationToken);

    /// <summary>
    /// Voids an issued document (it keeps its number) and queues its <c>invoice.voided</c> event; null when
    /// there is no such document, unchanged when it is not issued.
    /// </summary>
    Task<Invoice?> VoidAsync(string tenantId, string invoiceId, string reason, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records the payment processor's id of a document once it is pushed.</summary>
    Task MarkPushedAsync(string tenantId, string invoiceId, string externalId, CancellationToken cancellationToken);
}

/// <summary>Which invoices to list; empty filters match everything. Pages are 1-based.</summary>
public sealed record InvoiceFilter
{
    public IReadOnlyList<string> CustomerIds { get; init; } = [];

    public IReadOnlyList<InvoiceStatus> Statuses { get; init; } = [];

    public BillingPeriod? Period { get; init; }

    public int Page { get; init; } = 1;

    public int PageSize { get; init; } = 100;
}
