using Microsoft.Extensions.Logging;
using Stripe;
using Tally.Billing.Payments;

namespace Tally.Stripe.Push;

/// <summary>
/// One push of one document into one tenant's Stripe account. Every object goes through the same
/// steps: use the id the ledger recorded; else, if an earlier attempt may have created it, find it by
/// its <c>tally_key</c> metadata; else record the attempt, create it under an idempotency key derived
/// from what it is, and record its id the moment Stripe answers.
/// </summary>
internal sealed class StripeDocumentPush(
    IStripeClient client,
    PaymentDocument document,
    CustomerPaymentLink? link,
    KnownObjects known,
    StripeOptions options,
    ILogger logger)
{
    private string CustomerKey => StripeObjectKeys.Customer(document.Customer.Id);

    private bool ChargeAutomatically => link?.DefaultPaymentMethodId is not null;

    /// <summary>Every ledger key the document's push may read, loaded in one query before it starts.</summary>
    public static IReadOnlyCollection<string> KeysOf(PaymentDocument document)
    {
        var customer = document.Customer.Id;
        if (document.Kind == PaymentDocumentKind.CreditNote)
        {
            return
            [
                StripeObjectKeys.Customer(customer),
                .. document.Credits!.Select(credit => StripeObjectKeys.Invoice(customer, credit.DocumentKey)),
                .. document.Credits!.Select((credit, i) => CreditNoteKey(document, i)),
            ];
        }

        var invoice = StripeObjectKeys.Invoice(customer, document.DocumentKey);
        return
        [
            StripeObjectKeys.Customer(customer), invoice, StripeObjectKeys.Finalized(invoice), StripeObjectKeys.Voided(invoice),
            .. document.Lines.Select(line => StripeObjectKeys.Item(invoice, line.Key)),
        ];
    }

    public async Task<PaymentReceipt> RunAsync(CancellationToken cancellationToken)
    {
        if (document.Kind == PaymentDocumentKind.CreditNote)
        {
            // A credit note never creates a customer: without one, the invoice it credits cannot be in Stripe either.
            var existing = link?.ExternalCustomerId ?? known.IdOf(CustomerKey) ?? await StripeLookups.CustomerAsync(client, Metadata(CustomerKey), cancellationToken);
            return await PushCreditNoteAsync(existing, cancellationToken);
        }

        var customerId = link?.ExternalCustomerId ?? await EnsureAsync(
            CustomerKey, "customer", ct => StripeLookups.CustomerAsync(client, Metadata(CustomerKey), ct), CreateCustomerAsync, cancellationToken);
        return await PushInvoiceAsync(customerId, cancellationToken);
    }

    private async Task<PaymentReceipt> PushInvoiceAsync(string customerId, CancellationToken cancellationToken)
    {
        var invoiceKey = StripeObjectKeys.Invoice(document.Customer.Id, document.DocumentKey);
        if (known.IdOf(StripeObjectKeys.Voided(invoiceKey)) is { } voided)
        {
            throw new PaymentProcessorRejectedException(StripeErrors.Processor, "invoice_voided", $"Stripe invoice {voided} of {document.DocumentKey} was voided; a voided document is not pushed again.");
        }

        var finalizedKey = StripeObjectKeys.Finalized(invoiceKey);
        if (known.IdOf(finalizedKey) is { } done)
        {
            return new PaymentReceipt(done, customerId);
        }

        var invoiceId = await EnsureAsync(
            invoiceKey,
            "invoice",
            async ct => (await StripeLookups.InvoiceAsync(client, customerId, Metadata(invoiceKey), ct))?.Id,
            (idempotency, ct) => CreateInvoiceAsync(customerId, invoiceKey, idempotency, ct),
            cancellationToken);
        await EnsureItemsAsync(customerId, invoiceId, invoiceKey, cancellationToken);
        return new PaymentReceipt(await FinalizeAsync(invoiceId, finalizedKey, cancellationToken), customerId);
    }

    private async Task EnsureItemsAsync(string customerId, string invoiceId, string invoiceKey, CancellationToken cancellationToken)
    {
        var keys = document.Lines.Select(line => StripeObjectKeys.Item(invoiceKey, line.Key)).ToList();
        if (keys.Any(known.MayExist))
        {
            // One listing of the invoice's items settles every uncertain line at once.
            var found = await StripeLookups.InvoiceItemsAsync(client, invoiceId, cancellationToken);
            var recovered = keys.Where(known.MayExist).Where(key => found.ContainsKey(Metadata(key))).ToDictionary(key => key, key => found[Metadata(key)]);
            foreach (var (key, id) in await known.RecordAsync(recovered, cancellationToken))
            {
                StripeLog.FoundAfterInterruption(logger, "invoiceitem", id, key, document.TenantId);
            }
        }

        var missing = Enumerable.Range(0, keys.Count).Where(i => known.IdOf(keys[i]) is null).ToList();
        await known.AttemptingAsync([.. missing.Select(i => keys[i])], cancellationToken);
        var amounts = StripeAmounts.ToMinorUnits(document.Currency, [.. document.Lines.Select(line => line.Amount)]);

        // In line order, one at a time: Stripe shows items in creation order and locks the invoice per write.
        foreach (var i in missing)
        {
            var line = document.Lines[i];
            var item = await new InvoiceItemService(client).CreateAsync(
                new InvoiceItemCreateOptions
                {
                    Customer = customerId,
                    Invoice = invoiceId,
                    Currency = Currency,
                    Amount = amounts[i],
                    Description = line.Description,
                    Period = new InvoiceItemPeriodOptions { Start = document.PeriodFrom.UtcDateTime, End = document.PeriodTo.UtcDateTime },
                    Metadata = new Dictionary<string, string>
                    {
                        ["tally_key"] = Metadata(keys[i]),
                        ["tally_line_key"] = line.Key,
                        ["tally_quantity"] = line.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                },
                Idempotent(keys[i]),
                cancellationToken);
            StripeLog.Created(logger, "invoiceitem", item.Id, keys[i], document.TenantId);
            await known.RecordAsync(keys[i], item.Id, cancellationToken);
        }
    }

    private async Task<string> FinalizeAsync(string invoiceId, string finalizedKey, CancellationToken cancellationToken)
    {
        var invoices = new InvoiceService(client);
        if (known.MayExist(finalizedKey))
        {
            var invoice = await invoices.GetAsync(invoiceId, cancellationToken: cancellationToken);
            if (invoice.Status != "draft")
            {
                return await known.RecordAsync(finalizedKey, invoiceId, cancellationToken);
            }
        }

        await known.AttemptingAsync([finalizedKey], cancellationToken);
        await invoices.FinalizeInvoiceAsync(invoiceId, new InvoiceFinalizeOptions { AutoAdvance = ChargeAutomatically }, Idempotent(finalizedKey), cancellationToken);
        return await known.RecordAsync(finalizedKey, invoiceId, cancellationToken);
    }

    /// <summary>
    /// One Stripe credit note per document credited (Stripe credits one invoice per credit note, never more than
    /// is left of it): every credited invoice must be in Stripe before any note is made. The receipt names the
    /// note on the invoice the credit note corrects, the first credit.
    /// </summary>
    private async Task<PaymentReceipt> PushCreditNoteAsync(string? customerId, CancellationToken cancellationToken)
    {
        var parts = document.CreditParts();
        var invoiceIds = new List<string>();
        foreach (var (credit, _) in parts)
        {
            var creditedKey = StripeObjectKeys.Invoice(document.Customer.Id, credit.DocumentKey);
            var invoiceId = known.IdOf(creditedKey);
            if (invoiceId is null && customerId is not null
                && (await StripeLookups.InvoiceAsync(client, customerId, Metadata(creditedKey), cancellationToken))?.Id is { } found)
            {
                invoiceId = await known.RecordAsync(creditedKey, found, cancellationToken);
            }

            if (invoiceId is null || customerId is null)
            {
                throw new PaymentProcessorRejectedException(
                    StripeErrors.Processor,
                    "credited_invoice_not_pushed",
                    $"Credit note {document.DocumentKey} credits {credit.DocumentKey}, which is not in Stripe; push that invoice first.");
            }

            invoiceIds.Add(invoiceId);
        }

        var noteIds = new List<string>();
        for (var i = 0; i < parts.Count; i++)
        {
            var (invoiceId, (credit, lines), noteKey) = (invoiceIds[i], parts[i], CreditNoteKey(document, i));
            noteIds.Add(await EnsureAsync(
                noteKey,
                "credit note",
                ct => StripeLookups.CreditNoteAsync(client, invoiceId, Metadata(noteKey), ct),
                (idempotency, ct) => CreateCreditNoteAsync(invoiceId, credit, lines, noteKey, idempotency, ct),
                cancellationToken));
        }

        return new PaymentReceipt(noteIds[0], customerId!);
    }

    /// <summary>The key of the Stripe credit note for a credit note's <paramref name="part"/>th credit: the first keeps the credit note's own key.</summary>
    private static string CreditNoteKey(PaymentDocument document, int part) =>
        StripeObjectKeys.CreditNote(document.Customer.Id, part == 0 ? document.DocumentKey : $"{document.DocumentKey}/on/{document.Credits![part].DocumentKey}");

    private async Task<string> EnsureAsync(
        string key, string kind, Func<CancellationToken, Task<string?>> lookUp, Func<RequestOptions, CancellationToken, Task<string>> create, CancellationToken cancellationToken)
    {
        if (known.IdOf(key) is { } id)
        {
            return id;
        }

        if (known.MayExist(key) && await lookUp(cancellationToken) is { } found)
        {
            StripeLog.FoundAfterInterruption(logger, kind, found, key, document.TenantId);
            return await known.RecordAsync(key, found, cancellationToken);
        }

        await known.AttemptingAsync([key], cancellationToken);
        var created = await create(Idempotent(key), cancellationToken);
        StripeLog.Created(logger, kind, created, key, document.TenantId);
        return await known.RecordAsync(key, created, cancellationToken);
    }

    private async Task<string> CreateCustomerAsync(RequestOptions idempotency, CancellationToken cancellationToken) =>
        (await new CustomerService(client).CreateAsync(
            new CustomerCreateOptions
            {
                Name = document.Customer.Name,
                Email = document.Customer.Email,
                Metadata = new Dictionary<string, string>
                {
                    ["tally_key"] = Metadata(CustomerKey),
                    ["tally_customer_id"] = document.Customer.Id,
                    ["tally_customer_key"] = document.Customer.Key,
                },
            },
            idempotency,
            cancellationToken)).Id;

    private async Task<string> CreateInvoiceAsync(string customerId, string invoiceKey, RequestOptions idempotency, CancellationToken cancellationToken) =>
        (await new InvoiceService(client).CreateAsync(
            new InvoiceCreateOptions
            {
                Customer = customerId,
                Currency = Currency,
                CollectionMethod = ChargeAutomatically ? "charge_automatically" : "send_invoice",
                DaysUntilDue = ChargeAutomatically ? null : options.DaysUntilDue,
                DefaultPaymentMethod = link?.DefaultPaymentMethodId,
                AutoAdvance = false,
                PendingInvoiceItemsBehavior = "exclude",
                Description = $"{document.Number} ({document.PeriodFrom:yyyy-MM-dd} to {document.PeriodTo:yyyy-MM-dd})",
                Metadata = new Dictionary<string, string>
                {
                    ["tally_key"] = Metadata(invoiceKey),
                    ["tally_document_id"] = document.DocumentId,
                    ["tally_document_number"] = document.Number,
                },
            },
            idempotency,
            cancellationToken)).Id;

    private async Task<string> CreateCreditNoteAsync(
        string invoiceId, PaymentCredit credit, IReadOnlyList<PaymentLine> lines, string noteKey, RequestOptions idempotency, CancellationToken cancellationToken)
    {
        var amounts = StripeAmounts.ToMinorUnits(document.Currency, [.. lines.Select(line => line.Amount)]);
        var note = await new CreditNoteService(client).CreateAsync(
            new CreditNoteCreateOptions
            {
                Invoice = invoiceId,
                Lines = [.. lines.Select((line, i) => new CreditNoteLineOptions { Type = "custom_line_item", UnitAmount = amounts[i], Quantity = 1, Description = line.Description })],
                Memo = document.Credits!.Count == 1
                    ? $"{document.Number}: credits {credit.DocumentKey}"
                    : $"{document.Number}: credits {credit.DocumentKey} ({string.Join(" and ", document.Credits.Select(c => c.DocumentKey))} together)",
                Metadata = new Dictionary<string, string>
                {
                    ["tally_key"] = Metadata(noteKey),
                    ["tally_document_id"] = document.DocumentId,
                    ["tally_document_number"] = document.Number,
                    ["tally_credited_document"] = credit.DocumentKey,
                },
            },
            idempotency,
            cancellationToken);
        return note.Id;
    }

    private string Currency => document.Currency.Code.ToLowerInvariant();

    private string Metadata(string key) => StripeObjectKeys.Metadata(document.TenantId, key);

    private RequestOptions Idempotent(string key) => new() { IdempotencyKey = StripeObjectKeys.Idempotency(document.TenantId, key) };
}
