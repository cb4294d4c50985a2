using System.Globalization;

namespace Tally.Billing.Invoices;

/// <summary>Invoice numbers (<c>INV-000042</c>, <c>CN-000007</c>): a series and its gap-free sequence, in the order documents were issued.</summary>
public static class InvoiceNumbers
{
    /// <summary>The number's place in its series (42 for <c>INV-000042</c>); 0 for a document not issued yet.</summary>
    public static long Sequence(string? number) =>
        number is not null && long.TryParse(number.AsSpan(number.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0;
}
