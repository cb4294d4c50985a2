using Tally.Billing;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;

namespace Tally.Tests.Billing;

/// <summary>How a credit note's amount is spread over the invoices it can take back from, and its lines cut along that.</summary>
public sealed class CreditAllocationTests
{
    private static readonly BillingPeriod October = new(2026, 10);
    private static readonly BillingPeriod November = new(2026, 11);

    [Fact]
    public void Allocate_EarlierCreditsVoidedAndLateLines_TakesTheCorrectedInvoiceFirstThenNewestFirstUpToWhatIsLeft()
    {
        var original = Issued("inv_o", "INV-000001", October, Line(10.00m));
        var adjustment = Issued("inv_a", "INV-000003", October, Line(5.00m, October)) with { Corrects = "inv_o" };
        var voided = Issued("inv_v", "INV-000004", October, Line(50.00m, October)) with { Corrects = "inv_o", Status = InvoiceStatus.Voided };
        // November's invoice bills 2.00 of October's late usage beside November's own 30.00.
        var november = Issued("inv_n", "INV-000005", November, Line(30.00m), Line(2.00m, October));
        var earlier = Credit("cn_1", "CN-000001", 4.00m, corrects: "inv_a");
        var note = Credit("cn_2", "CN-000002", 12.00m, corrects: "inv_a");

        var (credits, unallocated) = CreditAllocation.Allocate(note, [original, adjustment, voided, november, earlier, note]);

        Assert.Equal([("inv_a", 1.00m), ("inv_n", 2.00m), ("inv_o", 9.00m)], credits.Select(c => (c.Credited.Id, c.Amount)));
        Assert.Equal(0m, unallocated);
        Assert.Equal(
            ["2026-10/adjustment/run-inv_a", "2026-11", "2026-10"],
            PaymentDocument.FromInvoice(note, new global::Tally.Billing.Customers.Customer("t1", "cus_1", "alice", "Alice", ["alice"], Currency.Usd, October.From), credits).Credits!.Select(c => c.DocumentKey));
    }

    [Fact]
    public void Allocate_MoreThanTheInvoicesHold_SaysHowMuchIsLeftOver()
    {
        var original = Issued("inv_o", "INV-000001", October, Line(10.00m));

        var (credits, unallocated) = CreditAllocation.Allocate(Credit("cn_1", "CN-000001", 12.50m, corrects: "inv_o"), [original]);

        Assert.Equal([("inv_o", 10.00m)], credits.Select(c => (c.Credited.Id, c.Amount)));
        Assert.Equal(2.50m, unallocated);
    }

    [Fact]
    public void CreditParts_TwoLinesOverTwoCredits_CutsTheFirstLineWhereTheFirstCreditEnds()
    {
        var document = new PaymentDocument(
            "t1", new PaymentCustomer("cus_1", "alice", "Alice", null), PaymentDocumentKind.CreditNote, "2026-10/credit/run", "inv_c", "CN-000001",
            October.From, October.To, Currency.Usd,
            [new PaymentLine("a", "A", 1m, 4.00m), new PaymentLine("b", "B", 1m, 3.00m)],
            [new PaymentCredit("2026-10/adjustment/r1", 2.50m), new PaymentCredit("2026-10", 4.50m)]);

        var parts = document.CreditParts();

        Assert.Empty(document.Problems());
        Assert.Equal(
            [("2026-10/adjustment/r1", "a:2.50"), ("2026-10", "a:1.50 b:3.00")],
            parts.Select(p => (p.Credit.DocumentKey, string.Join(' ', p.Lines.Select(l => $"{l.Key}:{l.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}")))));
    }

    private static InvoiceLine Line(decimal amount, BillingPeriod? covers = null) =>
        new($"line-{amount}-{covers}", "Tokens", "tokens", "tokens", 1m, null, amount) { Covers = covers };

    private static Invoice Issued(string id, string number, BillingPeriod period, params InvoiceLine[] lines) =>
        new("t1", id, InvoiceKind.Standard, "cus_1", period, period.From, period.To, Currency.Usd, lines, lines.Sum(l => l.Amount), InvoiceStatus.Issued, period.To)
        {
            Number = number,
            CloseRunId = "run-" + id,
        };

    private static Invoice Credit(string id, string number, decimal amount, string corrects) =>
        Issued(id, number, October, Line(amount, October)) with { Kind = InvoiceKind.CreditNote, Corrects = corrects };
}
