using Stripe;

namespace Tally.Stripe.Push;

/// <summary>
/// Finds objects Tally created in an earlier, interrupted push by their <c>tally_key</c> metadata, which
/// works long after Stripe has forgotten the idempotency key. Customers through the Search API (its
/// index lags writes by up to about a minute, a gap the idempotency key still covers), everything else
/// by listing what hangs off a known parent, which Stripe answers consistently.
/// </summary>
internal static class StripeLookups
{
    private const long PageSize = 100;

    public static async Task<string?> CustomerAsync(IStripeClient client, string tallyKey, CancellationToken cancellationToken)
    {
        var found = await new CustomerService(client).SearchAsync(
            new CustomerSearchOptions { Query = StripeObjectKeys.SearchQuery(tallyKey), Limit = 2 }, cancellationToken: cancellationToken);
        return found.Data.FirstOrDefault(customer => customer.Deleted != true)?.Id;
    }

    public static async Task<Invoice?> InvoiceAsync(IStripeClient client, string stripeCustomerId, string tallyKey, CancellationToken cancellationToken)
    {
        var invoices = new InvoiceService(client).ListAutoPagingAsync(
            new InvoiceListOptions { Customer = stripeCustomerId, Limit = PageSize }, cancellationToken: cancellationToken);
        await foreach (var invoice in invoices)
        {
            if (TallyKeyOf(invoice.Metadata) == tallyKey)
            {
                return invoice;
            }
        }

        return null;
    }

    /// <summary>The invoice's items that carry a <c>tally_key</c>, by that key.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> InvoiceItemsAsync(IStripeClient client, string stripeInvoiceId, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var items = new InvoiceItemService(client).ListAutoPagingAsync(
            new InvoiceItemListOptions { Invoice = stripeInvoiceId, Limit = PageSize }, cancellationToken: cancellationToken);
        await foreach (var item in items)
        {
            if (TallyKeyOf(item.Metadata) is { } key)
            {
                found.TryAdd(key, item.Id);
            }
        }

        return found;
    }

    public static async Task<string?> CreditNoteAsync(IStripeClient client, string stripeInvoiceId, string tallyKey, CancellationToken cancellationToken)
    {
        var notes = new CreditNoteService(client).ListAutoPagingAsync(
            new CreditNoteListOptions { Invoice = stripeInvoiceId, Limit = PageSize }, cancellationToken: cancellationToken);
        await foreach (var note in notes)
        {
            if (TallyKeyOf(note.Metadata) == tallyKey)
            {
                return note.Id;
            }
        }

        return null;
    }

    private static string? TallyKeyOf(Dictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue("tally_key", out var key) ? key : null;
}
