using System.Security.Cryptography;
using System.Text;

namespace Tally.Stripe.Push;

/// <summary>
/// Tally's keys of the Stripe objects it creates, derived only from what each object is: the customer
/// from (tenant, customer), an invoice from (tenant, customer, document), an item from (…, line), never
/// from an id drawn per attempt. The same key names the object three ways: the ledger row that holds
/// its Stripe id, the <c>tally_key</c> metadata it is found by after Stripe's 24-hour idempotency
/// window, and the idempotency key of the request that creates it.
/// </summary>
internal static class StripeObjectKeys
{
    /// <summary>Stripe refuses longer idempotency keys.</summary>
    private const int MaxIdempotencyKeyLength = 255;

    public static string Customer(string customerId) => $"customers/{customerId}";

    public static string Invoice(string customerId, string documentKey) => $"customers/{customerId}/invoices/{documentKey}";

    public static string Item(string invoiceKey, string lineKey) => $"{invoiceKey}/lines/{lineKey}";

    /// <summary>Recorded (with the invoice's id) once the invoice is finalized.</summary>
    public static string Finalized(string invoiceKey) => $"{invoiceKey}/finalized";

    /// <summary>Recorded (with the invoice's id) once the invoice is voided or its draft deleted.</summary>
    public static string Voided(string invoiceKey) => $"{invoiceKey}/voided";

    public static string CreditNote(string customerId, string documentKey) => $"customers/{customerId}/credit-notes/{documentKey}";

    /// <summary>The <c>tally_key</c> metadata value: unique in a Stripe account even when several tenants share it.</summary>
    public static string Metadata(string tenantId, string key) => $"{tenantId}/{key}";

    /// <summary>The idempotency key of the request that creates (or finalizes, voids) the object; hashed only if too long.</summary>
    public static string Idempotency(string tenantId, string key)
    {
        var text = $"tally/{tenantId}/{key}";
        return text.Length <= MaxIdempotencyKeyLength ? text : "tally/sha256/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Stripe's search query for an object with the given <c>tally_key</c>.</summary>
    public static string SearchQuery(string metadataValue) =>
        $"metadata['tally_key']:'{metadataValue.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}'";
}
