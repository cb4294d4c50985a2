using Tally.Billing.Invoices;

namespace Tally.Billing.Payments;

/// <summary>One invoice a credit note takes money back from, and how much.</summary>
public sealed record InvoiceCredit(Invoice Credited, decimal Amount);

/// <summary>
/// Which issued invoices a credit note takes its amount back from. A payment processor credits one invoice
/// per credit note and never more than is left of it (Stripe refuses a credit above an invoice's total less
/// its earlier credit notes), while a re-run's credit note corrects the period's net amount, which can span
/// the period's invoice and the adjustment invoices of earlier re-runs. So: first the invoice the credit note
/// corrects (the period's newest document), then the period's other documents, newest first, each up to what
/// is left of it for the period (its lines of that period, less what earlier credit notes took, allocated the
/// same way in the order they were issued). Pure: the same documents always give the same credits.
/// </summary>
public static class CreditAllocation
{
    /// <summary>
    /// The credits of <paramref name="creditNote"/> over <paramref name="documents"/>, the customer's issued
    /// documents (any period, credit notes included). Whatever no document has room for is <c>Unallocated</c>.
    /// </summary>
    public static (IReadOnlyList<InvoiceCredit> Credits, decimal Unallocated) Allocate(Invoice creditNote, IReadOnlyList<Invoice> documents)
    {
        var period = creditNote.Period;
        var room = documents
            .Where(d => d is { Kind: InvoiceKind.Standard, Status: InvoiceStatus.Issued })
            .Select(d => (Document: d, Room: d.Lines.Where(l => (l.Covers ?? d.Period) == period).Sum(l => l.Amount)))
            .Where(d => d.Room > 0m)
            .ToDictionary(d => d.Document.Id, d => d, StringComparer.Ordinal);
        var earlier = documents
            .Where(d => d is { Kind: InvoiceKind.CreditNote, Status: InvoiceStatus.Issued } && d.Period == period && d.Id != creditNote.Id
                && InvoiceNumbers.Sequence(d.Number) < InvoiceNumbers.Sequence(creditNote.Number))
            .OrderBy(d => InvoiceNumbers.Sequence(d.Number));
        foreach (var note in earlier)
        {
            Take(note, room);
        }

        return Take(creditNote, room);
    }

    private static (IReadOnlyList<InvoiceCredit>, decimal) Take(Invoice note, Dictionary<string, (Invoice Document, decimal Room)> room)
    {
        var order = room.Values
            .OrderByDescending(d => d.Document.Id == note.Corrects)
            .ThenByDescending(d => InvoiceNumbers.Sequence(d.Document.Number))
            .Select(d => d.Document)
            .ToList();
        var credits = new List<InvoiceCredit>();
        var left = note.Total;
        foreach (var document in order)
        {
            if (left <= 0m)
            {
                break;
            }

            var (_, free) = room[document.Id];
            if (free <= 0m)
            {
                continue;
            }

            var amount = Math.Min(free, left);
            credits.Add(new InvoiceCredit(document, amount));
            room[document.Id] = (document, free - amount);
            left -= amount;
        }

        return (credits, left);
    }
}
