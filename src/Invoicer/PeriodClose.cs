using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;
using Tally.Billing.Pricing;

namespace Tally.Invoicer;

/// <summary>
/// Closes a billing period for a tenant: one invoice per subscribed customer, issued at most once
/// (the ledger's unique invoice per customer and period), then pushed to the tenant's payment
/// processor if it installed one. Running it again, after a crash or on purpose, issues nothing twice
/// and pushes what an interrupted run left unpushed.
/// </summary>
public sealed class PeriodClose(
    ICustomerStore customers,
    IInvoiceStore invoices,
    ICustomerCharges calculator,
    IPaymentProcessor payments,
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

        var connected = await payments.IsConnectedAsync(tenantId, cancellationToken);
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

            if (connected && invoice.Status == InvoiceStatus.Issued)
            {
                var receipt = await payments.PushAsync(PaymentDocument.FromInvoice(invoice, customer), cancellationToken);
                await invoices.MarkPushedAsync(tenantId, invoice.Id, receipt.ExternalId, cancellationToken);
                invoice = invoice with { Status = InvoiceStatus.Pushed, ExternalId = receipt.ExternalId };
            }

            closed.Add(new ClosedInvoice(invoice, created));
        }

        return new CloseRunResult(tenantId, period, closed);
    }
}
