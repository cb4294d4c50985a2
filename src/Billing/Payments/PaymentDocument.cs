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

/// <summary>
/// A document to push to the tenant's payment processor, decoupled from the ledger's invoice model.
/// <see cref="DocumentKey"/> says what the document is, stably and uniquely per tenant, customer and
/// kind (the period for a period's invoice, e.g. <c>2026-10</c>; the lead's adjustments add a suffix):
/// every processor object is keyed by it, never by an id that a retry could draw anew.
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
    string? CreditedDocumentKey = null)
{
    /// <summary>The longest <see cref="DocumentKey"/> or line key, so every derived key fits the processor's limits.</summary>
    public const int MaxKeyLength = 100;

    /// <summary>The mapping from today's ledger invoice: one document per customer and calendar month, keyed by the period.</summary>
    public static PaymentDocument FromInvoice(Invoice invoice, Customer customer) => new(
        invoice.TenantId,
        new PaymentCustomer(customer.Id, customer.Key, customer.Name, Email: null),
        PaymentDocumentKind.StandardInvoice,
        DocumentKey: invoice.Period.ToString(),
        invoice.Id,
        invoice.Number,
        invoice.Period.From,
        invoice.Period.To,
        invoice.Currency,
        [.. invoice.Lines.Select(line => new PaymentLine(
            line.RateCardKey,
            $"{line.MeterSlug}: {Invariant(line.Quantity)} x {Invariant(line.UnitPrice)} {invoice.Currency.Code} ({invoice.Period})",
            line.Quantity,
            line.Amount))]);

    /// <summary>What makes the document unusable, one sentence each; empty when it can be pushed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        CheckKey(problems, "documentKey", DocumentKey);
        if (Kind == PaymentDocumentKind.CreditNote)
        {
            CheckKey(problems, "creditedDocumentKey", CreditedDocumentKey);
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
