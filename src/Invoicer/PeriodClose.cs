using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Pricing;

namespace Tally.Invoicer;

/// <summary>
/// Closes a billing period for a tenant: one invoice per subscribed customer, issued at most once
/// (the ledger's unique invoice per customer and period), then pushed to the payment processor if
/// one is configured. Running it again, after a crash or on purpose, issues nothing twice and pushes
/// what an interrupted run left unpushed.
/// </summary>
public sealed class PeriodClose(
    ICustomerStore customers,
    IInvoiceStore invoices,
    ICustomerCharges calculator,
    IInvoicePublisher publisher,
    TimeProvider clock,
    ILogger<PeriodClose> logger)
{
    public async Task<CloseRunResult> CloseAsync(string tenantId, BillingPeriod period, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now < period.To)
        {
            throw new PeriodNotEndedException(period);
        }

        var closed = new List<ClosedInvoice>();
        foreach (var customer in await customers.ListAsync(tenantId, cancellationToken))
        {
            var charges = await calculator.CalculateAsync(tenantId, customer.Id, period, cancellationToken);
            if (charges is null)
            {
                continue;
            }

            var (invoice, created) = await invoices.CreateOnceAsync(InvoiceDrafting.Draft(charges, now), cancellationToken);
            if (created)
            {
                InvoicerLog.Issued(logger, tenantId, invoice.Number, customer.Key, invoice.Total, invoice.Currency.Code);
            }

            if (publisher.IsConfigured && invoice.Status == InvoiceStatus.Issued)
            {
                var externalId = await publisher.PublishAsync(invoice, customer, cancellationToken);
                await invoices.MarkPushedAsync(tenantId, invoice.Id, externalId, cancellationToken);
                invoice = invoice with { Status = InvoiceStatus.Pushed, ExternalId = externalId };
            }

            closed.Add(new ClosedInvoice(invoice, created));
        }

        return new CloseRunResult(tenantId, period, closed);
    }
}
