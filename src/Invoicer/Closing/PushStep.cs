using Tally.Billing.Closing;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;

namespace Tally.Invoicer.Closing;

/// <summary>
/// Pushes issued invoices to the payment processor, several at once. The publisher makes each object
/// once (keys derive from what it is); a refusal for good is compensated: the invoice is voided with
/// the reason and the task parked for a person, all recorded in the history.
/// </summary>
internal sealed class PushStep(IInvoiceStore invoices, IInvoicePublisher publisher, CloseOptions options)
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
        try
        {
            var invoice = task.InvoiceId is { } id ? await invoices.GetAsync(task.TenantId, id, cancellationToken) : null;
            if (invoice is not { Status: InvoiceStatus.Issued })
            {
                return transitions.Move(task, CloseStep.Done, transitions.Entry(task, CloseStep.Push, "nothing to push", $"invoice is {invoice?.Status.ToString() ?? "missing"}"));
            }

            var externalId = invoice.ExternalId ?? await publisher.PublishAsync(invoice, batch.Customers[task.CustomerId], cancellationToken);
            return transitions.Move(task, CloseStep.Done, transitions.Entry(task, CloseStep.Push, "pushed", new { externalId })) with { ExternalId = externalId };
        }
        catch (PaymentProcessorRejectedException refused)
        {
            var message = $"the payment processor refused the invoice: {refused.Message}";
            return transitions.Park(task, task.Attempts + 1, message, "compensated: the invoice was voided", transitions.Entry(task, CloseStep.Push, "compensated", new { voided = task.InvoiceId, reason = message })) with
            {
                VoidReason = message,
            };
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            return transitions.Fail(task, error, permanent: false);
        }
    }
}
