using Tally.Billing.Customers;
using Tally.Billing.Invoices;

namespace Tally.Billing.Payments;

/// <summary>What a payment processor receives: a standard invoice, or a credit note against one.</summary>
public enum PaymentDocumentKind
{
    StandardInvoice,
    CreditNote,
}

/// <summary>The customer a document bills, as the processor should know it.</summary>
public sealed record PaymentCustomer(string Id, string Key, string Name, string? Email);

/// <summary>
/// One line of a document. <see cref="Key"/> is stable for the life of the document (e.g. the rate
/// card's key) and unique within it: the processor's object for the line is found again by it.
/// <see cref="Amount"/> is in major units of the document's currency (a credit note's are positive).
/// </summary>
public sealed record PaymentLine(string Key, string Description, decimal Quantity, decimal Amount);

/// <summary>What a credit note takes back from one document it credits (by that document's key), in major units.</summary>
public sealed record PaymentCredit(string DocumentKey, decimal Amount);

/// <summary>
/// A document to push to the tenant's payment processor, decoupled from the ledger's invoice model.
/// <see cref="DocumentKey"/> says what the document is, stably and uniquely per tenant, customer and
/// kind (the period for a period's invoice, e.g. <c>2026-10</c>; the lead's adjustments add a suffix):
/// every processor object is keyed by it, never by an id that a retry could draw anew. A credit note's
/// <see cref="Credits"/> name the documents it takes its lines' total back from: usually one, the invoice
/// it corrects; two or more when that invoice has less left than the credit (see <see cref="CreditAllocation"/>).
/// </summary>
public sealed record PaymentDocument(
    string TenantId,
    PaymentCustomer Customer,
    PaymentDocumentKind Kind,
    string DocumentKey,
    string DocumentId,
    string Number,
    DateTimeOffset PeriodFrom,
    DateTimeOffset PeriodTo,
    Currency Currency,
    IReadOnlyList<PaymentLine> Lines,
    IReadOnlyList<PaymentCredit>? Credits = null)
{
    /// <summary>The longest <see cref="DocumentKey"/> or line key, so every derived key fits the processor's limits.</summary>
    public const int MaxKeyLength = 100;

    /// <summary>
    /// What the invoice is, as a document key: the period (<c>2026-10</c>) for a period's invoice; for a
    /// correction, the period, its kind and the close run that made it (<c>2026-10/adjustment/{run}</c>,
    /// <c>2026-10/credit/{run}</c>), so a retried push finds the same document and two corrections of one
    /// period never share one.
    /// </summary>
    public static string KeyOf(Invoice invoice)
    {
        var period = invoice.Period.ToString();
        return invoice switch
        {
            { Kind: InvoiceKind.CreditNote } => $"{period}/credit/{invoice.CloseRunId ?? invoice.Id}",
            { Corrects: not null } => $"{period}/adjustment/{invoice.CloseRunId ?? invoice.Id}",
            _ => period,
        };
    }

    /// <summary>
    /// The one mapping from the ledger's invoice. A credit note credits the invoices <paramref name="credits"/>
    /// names (<see cref="CreditAllocation.Allocate"/>: the invoice it corrects first). Lines keep the invoice
    /// line's key.
    /// </summary>
    public static PaymentDocument FromInvoice(Invoice invoice, Customer customer, IReadOnlyList<InvoiceCredit>? credits = null)
    {
        var period = invoice.Period.ToString();
        return new PaymentDocument(
            invoice.TenantId,
            new PaymentCustomer(customer.Id, customer.Key, customer.Name, Email: null),
            invoice.Kind == InvoiceKind.CreditNote ? PaymentDocumentKind.CreditNote : PaymentDocumentKind.StandardInvoice,
            KeyOf(invoice),
            invoice.Id,
            invoice.Number ?? throw new ArgumentException($"Invoice {invoice.Id} has no number: only issued invoices are pushed.", nameof(invoice)),
            invoice.PeriodFrom,
            invoice.PeriodTo,
            invoice.Currency,
            [.. invoice.Lines.Select(line => new PaymentLine(line.Key, $"{line.Description} ({period})", line.Quantity, line.Amount))],
            invoice.Kind == InvoiceKind.CreditNote ? [.. (credits ?? []).Select(c => new PaymentCredit(KeyOf(c.Credited), c.Amount))] : null);
    }

    /// <summary>
    /// A credit note's lines cut along its credits, in order: each credit takes the lines (or the part of a
    /// line) its amount covers, so every piece credits exactly one document and the pieces add up to the lines.
    /// </summary>
    public IReadOnlyList<(PaymentCredit Credit, IReadOnlyList<PaymentLine> Lines)> CreditParts()
    {
        var parts = new List<(PaymentCredit, IReadOnlyList<PaymentLine>)>();
        var line = 0;
        var usedOfLine = 0m;
        foreach (var credit in Credits ?? [])
        {
            var pieces = new List<PaymentLine>();
            var left = credit.Amount;
            while (left > 0m && line < Lines.Count)
            {
                var amount = Math.Min(Lines[line].Amount - usedOfLine, left);
                pieces.Add(Lines[line] with { Amount = amount });
                left -= amount;
                usedOfLine += amount;
                if (usedOfLine == Lines[line].Amount)
                {
                    (line, usedOfLine) = (line + 1, 0m);
                }
            }

            parts.Add((credit, pieces));
        }

        return parts;
    }

    /// <summary>What makes the document unusable, one sentence each; empty when it can be pushed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        CheckKey(problems, "documentKey", DocumentKey);
        if (Kind == PaymentDocumentKind.CreditNote)
        {
            if (Credits is not { Count: > 0 })
            {
                problems.Add("credits: a credit note credits at least one document.");
            }

            foreach (var credit in Credits ?? [])
            {
                CheckKey(problems, "credits.documentKey", credit.DocumentKey);
                if (credit.Amount <= 0)
                {
                    problems.Add($"credits[{credit.DocumentKey}].amount: a credit takes back a positive amount, not {Invariant(credit.Amount)}.");
                }
            }

            if (Credits is { Count: > 0 } && Credits.Sum(c => c.Amount) != Lines.Sum(l => l.Amount))
            {
                problems.Add($"credits: they take back {Invariant(Credits.Sum(c => c.Amount))}, but the lines credit {Invariant(Lines.Sum(l => l.Amount))}; the documents credited have no more left to take back.");
            }
        }

        if (Lines.Count == 0)
        {
            problems.Add("lines: a document needs at least one line.");
        }

        foreach (var line in Lines)
        {
            CheckKey(problems, "lines.key", line.Key);
            if (Kind == PaymentDocumentKind.CreditNote && line.Amount <= 0)
            {
                problems.Add($"lines[{line.Key}].amount: a credit note credits positive amounts, not {Invariant(line.Amount)}.");
            }
        }

        foreach (var duplicate in Lines.GroupBy(line => line.Key, StringComparer.Ordinal).Where(group => group.Count() > 1))
        {
            problems.Add($"lines.key: '{duplicate.Key}' names {duplicate.Count()} lines; line keys are unique within a document.");
        }

        return problems;
    }

    private static void CheckKey(List<string> problems, string field, string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyLength || key.Any(char.IsControl))
        {
            problems.Add($"{field}: '{key}' must be 1-{MaxKeyLength} characters without control characters.");
        }
    }

    private static string Invariant(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
