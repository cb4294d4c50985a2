namespace Tally.Billing.Invoices;

/// <summary>Invoices: at most one per tenant, customer and billing period.</summary>
public interface IInvoiceStore
{
    /// <summary>
    /// Stores <paramref name="draft"/> with a number assigned by the store (<c>{period}-{seq:D4}</c>, a
    /// sequence per tenant and period) unless the customer already has an invoice for the period, in
    /// which case nothing is written and the existing invoice is returned with Created = false.
    /// </summary>
    Task<(Invoice Invoice, bool Created)> CreateOnceAsync(Invoice draft, CancellationToken cancellationToken);

    Task<Invoice?> GetAsync(string tenantId, string invoiceId, CancellationToken cancellationToken);

    /// <summary>The tenant's invoices, newest period first, optionally for one customer.</summary>
    Task<IReadOnlyList<Invoice>> ListAsync(string tenantId, string? customerId, CancellationToken cancellationToken);

    /// <summary>Records that the invoice now exists in the payment processor under <paramref name="externalId"/>.</summary>
    Task MarkPushedAsync(string tenantId, string invoiceId, string externalId, CancellationToken cancellationToken);
}
