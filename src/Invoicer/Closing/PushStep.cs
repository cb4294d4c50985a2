using Tally.Billing.Closing;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Pushes issued invoices to the tenant's payment processor, several at once. The processor makes each
/// object once (keys derive from what it is, its ids are kept in the ledger); a refusal for good is
/// compensated: whatever the processor already holds of the document is voided (a draft deleted), the
/// invoice is voided with the reason and the task parked for a person, all recorded in the history.
/// </summary>
internal sealed class PushStep(IInvoiceStore invoices, IPaymentProcessor payments, CloseOptions options)
{
    public async Task<IReadOnlyList<CloseOutcome>> RunAsync(RunBatch batch, Transitions transitions, CancellationToken cancellationToken)
    {
        var outcomes = new CloseOutcome[batch.Tasks.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, batch.Tasks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = options.PushConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await PushAsync(batch, batch.Tasks[i], transitions, ct));
        return outcomes;
    }

    private async Task<CloseOutcome> PushAsync(RunBatch batch, CloseTask task, Transitions transitions, CancellationToken cancellationToken)
    {
        PaymentDocument? document = null;
        try
        {
            var invoice = task.InvoiceId is { } id ? await invoices.GetAsync(task.TenantId, id, cancellationToken) : null;
            if (invoice is not { Status: InvoiceStatus.Issued })
            {
                return transitions.Move(task, CloseStep.Done, transitions.Entry(task, CloseStep.Push, "nothing to push", $"invoice is {invoice?.Status.ToString() ?? "missing"}"));
            }

            IReadOnlyList<InvoiceCredit>? credits = null;
            if (invoice.Kind == InvoiceKind.CreditNote && invoice.ExternalId is null)
            {
                var (allocated, unallocated) = CreditAllocation.Allocate(invoice, await IssuedDocumentsAsync(invoice, cancellationToken));
                if (unallocated > 0m)
                {
                    return transitions.Fail(task, new InvalidOperationException(
                        $"credit note {invoice.Number} credits {unallocated} more than the issued invoices of {invoice.Period} have left to credit; nothing was pushed."), permanent: true);
                }

                credits = allocated;
            }

            document = PaymentDocument.FromInvoice(invoice, batch.Customers[task.CustomerId], credits);
            var externalId = invoice.ExternalId ?? (await payments.PushAsync(document, cancellationToken)).ExternalId;
            return transitions.Move(task, CloseStep.Done, transitions.Entry(task, CloseStep.Push, "pushed", new { externalId, documentKey = document.DocumentKey })) with { ExternalId = externalId };
        }
        catch (PaymentProcessorRejectedException refused) when (document is not null)
        {
            var message = $"the payment processor refused the invoice: {refused.Message}";
            VoidOutcome undone;
            try
            {
                undone = await payments.VoidAsync(task.TenantId, task.CustomerId, document.DocumentKey, cancellationToken);
            }
            catch (PaymentProcessorUnavailableException unavailable)
            {
                // Compensation must reach the processor first; until it can, the task retries (and the push, refused again, leads back here).
                return transitions.Fail(task, unavailable, permanent: false);
            }

            return transitions.Park(task, task.Attempts + 1, message, "compensated: the invoice was voided", transitions.Entry(task, CloseStep.Push, "compensated", new { voided = task.InvoiceId, reason = message, processor = undone.ToString() })) with
            {
                VoidReason = message,
            };
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return transitions.Fail(task, error, permanent: false);
        }
    }

    /// <summary>The customer's issued documents, which a credit note's amount is allocated over.</summary>
    private async Task<IReadOnlyList<Invoice>> IssuedDocumentsAsync(Invoice creditNote, CancellationToken cancellationToken) =>
        (await invoices.ListAsync(
            creditNote.TenantId,
            new InvoiceFilter { CustomerIds = [creditNote.CustomerId], Statuses = [InvoiceStatus.Issued], PageSize = int.MaxValue },
            cancellationToken)).Page;
}
