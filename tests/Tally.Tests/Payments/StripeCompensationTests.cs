using Tally.Billing.Payments;
using Tally.FakeStripe;

namespace Tally.Tests.Payments;

/// <summary>Credit notes against pushed invoices, and voiding an invoice as compensation, each exactly once.</summary>
public sealed class StripeCompensationTests : IAsyncLifetime
{
    private StripeTestbed bed = null!;
    private string tenant = "";
    private PaymentCustomer alice = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private StripeFake Fake => bed.Fake;

    public async ValueTask InitializeAsync()
    {
        bed = await StripeTestbed.StartAsync(Ct);
        (tenant, alice) = await bed.TenantAsync("Acme");
    }

    public ValueTask DisposeAsync() => bed.DisposeAsync();

    [Fact]
    public async Task PushCreditNote_AgainstPushedInvoice_CreatesOneCreditNoteAndNothingOnRepush()
    {
        await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct);
        var requests = Fake.Requests.Count;

        var receipt = await bed.Processor().PushAsync(CreditNote(), Ct);
        var again = await bed.Processor().PushAsync(CreditNote(), Ct);

        Assert.Equal(new PaymentReceipt("cn_fake000001", "cus_fake000001"), receipt);
        Assert.Equal(receipt, again);
        var note = Assert.Single(Fake.CreditNotes);
        Assert.Equal(("in_fake000001", "cus_fake000001", 3_450L, "2026-10-CN1: credits 2026-10"), (note.Invoice, note.Customer, note.Amount, note.Memo));
        Assert.Equal([new FakeStripeCreditNoteLine(3_450, "Goodwill: 34.50 USD of output")], note.Lines);
        Assert.Equal($"{tenant}/customers/{alice.Id}/credit-notes/2026-10-cn1", note.Metadata["tally_key"]);
        Assert.Equal(["/v1/credit_notes"], Fake.Requests.Skip(requests).Select(request => request.Path));
    }

    [Fact]
    public async Task PushCreditNote_AnswerLostThenRetriedAfterTheWindow_FindsTheCreditNoteOnTheInvoice()
    {
        await bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct);
        Fake.Fail(new FakeFailure("/v1/credit_notes") { Mode = FakeFailureMode.DropResponse });

        await Assert.ThrowsAsync<PaymentProcessorUnavailableException>(() => bed.Processor().PushAsync(CreditNote(), Ct));
        bed.Clock.Advance(TimeSpan.FromHours(25));
        var receipt = await bed.Processor().PushAsync(CreditNote(), Ct);

        Assert.Equal("cn_fake000001", receipt.ExternalId);
        Assert.Single(Fake.CreditNotes);
        Assert.Contains(Fake.Requests, request => request is { Method: "GET", Path: "/v1/credit_notes" });
    }

    [Fact]
    public async Task PushCreditNote_InvoiceNeverPushed_IsRejectedAndCreatesNothing()
    {
        var error = await Assert.ThrowsAsync<PaymentProcessorRejectedException>(() => bed.Processor().PushAsync(CreditNote(), Ct));

        Assert.Equal("credited_invoice_not_pushed", error.Code);
        Assert.Equal(new Dictionary<string, int> { ["customer"] = 0, ["invoice"] = 0, ["invoiceitem"] = 0, ["credit_note"] = 0 }, Fake.CreatedCounts);
    }

    [Fact]
    public async Task Void_FinalizedInvoice_VoidsItOnceAndRefusesToPushItAgain()
    {
        var document = StripeTestbed.Invoice(tenant, alice);
        await bed.Processor().PushAsync(document, Ct);

        var first = await bed.Processor().VoidAsync(tenant, alice.Id, "2026-10", Ct);
        var requests = Fake.Requests.Count;
        var second = await bed.Processor().VoidAsync(tenant, alice.Id, "2026-10", Ct);
        var push = await Assert.ThrowsAsync<PaymentProcessorRejectedException>(() => bed.Processor().PushAsync(document, Ct));

        Assert.Equal((VoidOutcome.Voided, VoidOutcome.AlreadyVoided), (first, second));
        Assert.Equal("void", Assert.Single(Fake.Invoices).Status);
        Assert.Equal(requests, Fake.Requests.Count);
        Assert.Equal("invoice_voided", push.Code);
        Assert.Single(Fake.Requests, request => request.Path == "/v1/invoices/in_fake000001/void");
    }

    [Fact]
    public async Task Void_InvoiceLeftInDraft_DeletesTheDraft()
    {
        Fake.Fail(new FakeFailure("/v1/invoices/*/finalize") { StatusCode = 400, Type = "invalid_request_error", Code = "invoice_not_editable" });
        await Assert.ThrowsAsync<PaymentProcessorRejectedException>(() => bed.Processor().PushAsync(StripeTestbed.Invoice(tenant, alice), Ct));

        var outcome = await bed.Processor().VoidAsync(tenant, alice.Id, "2026-10", Ct);

        Assert.Equal(VoidOutcome.DraftDeleted, outcome);
        Assert.Equal("deleted", Assert.Single(Fake.Invoices).Status);
        Assert.Equal(VoidOutcome.AlreadyVoided, await bed.Processor().VoidAsync(tenant, alice.Id, "2026-10", Ct));
    }

    [Fact]
    public async Task Void_NeverPushed_HasNothingToUndo()
    {
        Assert.Equal(VoidOutcome.NotInProcessor, await bed.Processor().VoidAsync(tenant, alice.Id, "2026-10", Ct));
        Assert.Empty(Fake.Invoices);
    }

    private PaymentDocument CreditNote() => StripeTestbed.Invoice(tenant, alice, "2026-10") with
    {
        Kind = PaymentDocumentKind.CreditNote,
        DocumentKey = "2026-10-cn1",
        Number = "2026-10-CN1",
        Credits = [new PaymentCredit("2026-10", 34.50m)],
        Lines = [new PaymentLine("goodwill", "Goodwill: 34.50 USD of output", 1m, 34.50m)],
    };
}
