using Tally.Billing.Closing;
using Tally.Billing.Invoices;

namespace Tally.Tests.Invoicer;

/// <summary>
/// Re-runs of October pushed to the Stripe fake: a credit note credits the invoice it corrects, the last
/// re-run's adjustment invoice, and a credit larger than what is left of that invoice spans it and the
/// period's invoice, one Stripe credit note on each, never more than an invoice holds.
/// </summary>
public sealed partial class CloseWorkflowTests
{
    [Fact]
    public async Task Rerun_CreditAfterAnAdjustment_CreditsTheAdjustmentInvoiceInStripeThenSpansItAndThePeriodsInvoice()
    {
        await InstallStripeAsync();
        await StartAsync(October);
        await Worker().DrainAsync(Ct);
        var original = (await InvoicesAsync()).Single(i => i.CustomerId == alice.Id);

        // 10.02 invoiced; re-rated 15.02 (+5.00), then 12.02 (-3.00), then 5.02 (-7.00).
        SetUsage(October, alice, 2_001m, 2_002m);
        var adjustment = await RerunAsync();
        SetUsage(October, alice, 1_401m, 2_002m);
        var credit = await RerunAsync();
        var notesAfterFirstCredit = stripe!.CreditNotes.Select(n => (n.Invoice, n.Amount)).ToList();
        SetUsage(October, alice, 1m, 2_002m);
        var spanning = await RerunAsync();

        Assert.Equal((InvoiceKind.Standard, 5.00m, original.Id), (adjustment.Kind, adjustment.Total, adjustment.Corrects));
        Assert.Equal((InvoiceKind.CreditNote, "CN-000001", 3.00m, adjustment.Id), (credit.Kind, credit.Number, credit.Total, credit.Corrects));
        Assert.Equal((InvoiceKind.CreditNote, "CN-000002", 7.00m, adjustment.Id), (spanning.Kind, spanning.Number, spanning.Total, spanning.Corrects));
        Assert.Equal([(adjustment.ExternalId!, 300L)], notesAfterFirstCredit);
        Assert.Equal(
            [
                (adjustment.ExternalId!, 300L, $"customers/{alice.Id}/credit-notes/2026-10/credit/{credit.CloseRunId}", "2026-10/adjustment/" + adjustment.CloseRunId),
                (adjustment.ExternalId!, 200L, $"customers/{alice.Id}/credit-notes/2026-10/credit/{spanning.CloseRunId}", "2026-10/adjustment/" + adjustment.CloseRunId),
                (original.ExternalId!, 500L, $"customers/{alice.Id}/credit-notes/2026-10/credit/{spanning.CloseRunId}/on/2026-10", "2026-10"),
            ],
            stripe.CreditNotes.Select(n => (n.Invoice, n.Amount, n.Metadata["tally_key"][(tenantId.Length + 1)..], n.Metadata["tally_credited_document"])));
        Assert.Equal(stripe.CreditNotes[1].Id, spanning.ExternalId);
        Assert.Equal((1002L, 500L), (stripe.Invoices.Single(i => i.Id == original.ExternalId).Total, stripe.Invoices.Single(i => i.Id == adjustment.ExternalId).Total));
    }

    /// <summary>Re-runs October for alice, drains the workers and returns the document the re-run made.</summary>
    private async Task<Invoice> RerunAsync()
    {
        var run = await Starter().StartAsync(tenantId, October, CloseRunKind.Rerun, false, alice.Id, "test", Ct);
        await Worker().DrainAsync(Ct);
        var made = Assert.Single(await InvoicesAsync(), i => i.CloseRunId == run.Id);
        Assert.Equal(InvoiceStatus.Issued, made.Status);
        Assert.NotNull(made.ExternalId);
        return made;
    }
}
