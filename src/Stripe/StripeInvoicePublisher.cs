using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using Tally.Billing;
using Tally.Billing.Invoices;
using Customer = Tally.Billing.Customers.Customer;
using Invoice = Tally.Billing.Invoices.Invoice;

namespace Tally.Stripe;

/// <summary>
/// Creates Tally invoices in Stripe with Stripe.net. Every request carries an idempotency key derived
/// from Tally's ids, so a retried or resumed push creates each Stripe object once (within Stripe's
/// 24-hour idempotency window; the ledger's pushed status covers the time after).
/// </summary>
public sealed class StripeInvoicePublisher(IOptions<StripeOptions> options, ILogger<StripeInvoicePublisher> logger) : IInvoicePublisher
{
    private readonly StripeClient _client = new(
        apiKey: options.Value.ApiKey ?? "",
        apiBase: string.IsNullOrEmpty(options.Value.BaseAddress) ? null : options.Value.BaseAddress);

    public bool IsConfigured => !string.IsNullOrEmpty(options.Value.ApiKey);

    public async Task<string> PublishAsync(Invoice invoice, Customer customer, CancellationToken cancellationToken)
    {
        var currency = invoice.Currency.Code.ToLowerInvariant();
        var stripeCustomer = await new CustomerService(_client).CreateAsync(
            new CustomerCreateOptions
            {
                Name = customer.Name,
                Metadata = new Dictionary<string, string> { ["tally_customer_id"] = customer.Id, ["tally_customer_key"] = customer.Key },
            },
            Idempotent($"tally-customer-{customer.Id}"),
            cancellationToken);
        var stripeInvoice = await new InvoiceService(_client).CreateAsync(
            new InvoiceCreateOptions
            {
                Customer = stripeCustomer.Id,
                Currency = currency,
                CollectionMethod = "send_invoice",
                DaysUntilDue = options.Value.DaysUntilDue,
                AutoAdvance = false,
                Metadata = new Dictionary<string, string> { ["tally_invoice_id"] = invoice.Id, ["tally_invoice_number"] = invoice.Number ?? "" },
            },
            Idempotent($"tally-invoice-{invoice.Id}"),
            cancellationToken);
        var items = new InvoiceItemService(_client);
        for (var i = 0; i < invoice.Lines.Count; i++)
        {
            var line = invoice.Lines[i];
            await items.CreateAsync(
                new InvoiceItemCreateOptions
                {
                    Customer = stripeCustomer.Id,
                    Invoice = stripeInvoice.Id,
                    Currency = currency,
                    Amount = new Money(line.Amount, invoice.Currency).ToMinorUnits(),
                    Description = $"{line.MeterSlug}: {line.Quantity} x {line.UnitPrice} {invoice.Currency.Code} ({invoice.Period})",
                },
                Idempotent($"tally-invoice-{invoice.Id}-line-{i}"),
                cancellationToken);
        }

        var finalized = await new InvoiceService(_client).FinalizeInvoiceAsync(
            stripeInvoice.Id, new InvoiceFinalizeOptions { AutoAdvance = false }, Idempotent($"tally-invoice-{invoice.Id}-finalize"), cancellationToken);
        StripeLog.Pushed(logger, invoice.Id, finalized.Id);
        return finalized.Id;
    }

    private static RequestOptions Idempotent(string key) => new() { IdempotencyKey = key };
}
