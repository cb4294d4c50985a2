using Tally.Billing.Customers;

namespace Tally.Billing.Invoices;

/// <summary>Pushes an issued invoice to a payment processor.</summary>
public interface IInvoicePublisher
{
    /// <summary>False when no processor is configured: invoices then stay in the ledger, not pushed.</summary>
    bool IsConfigured { get; }

    /// <summary>
    /// Creates the invoice in the processor and returns its id there. Safe to call again for the same
    /// invoice (idempotent by the invoice's id), which is how a close run resumes after a crash.
    /// </summary>
    Task<string> PublishAsync(Invoice invoice, Customer customer, CancellationToken cancellationToken);
}

/// <summary>The publisher used when no payment processor is configured.</summary>
public sealed class LedgerOnlyPublisher : IInvoicePublisher
{
    public bool IsConfigured => false;

    public Task<string> PublishAsync(Invoice invoice, Customer customer, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("No payment processor is configured; set Stripe:ApiKey to push invoices.");
}
