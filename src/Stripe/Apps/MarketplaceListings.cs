namespace Tally.Stripe.Apps;

/// <summary>The marketplace: Tally lists the one app type it implements, Stripe, installed with an API key.</summary>
internal static class MarketplaceListings
{
    public static MarketplaceListingResponse Stripe { get; } = new(
        "stripe",
        "Stripe",
        "Pushes closed invoices and credit notes to the tenant's own Stripe account, each object exactly once, and collects payment there.",
        [
            new AppCapabilityResponse("invoiceCustomers", "stripe_invoice_customers", "Invoice customers", "Creates the invoice (and its customer) in Stripe and finalizes it."),
            new AppCapabilityResponse("collectPayments", "stripe_collect_payments", "Collect payments", "Stripe charges a linked customer's default payment method, or sends the invoice."),
        ],
        ["with_api_key"]);

    public static IReadOnlyList<MarketplaceListingResponse> All { get; } = [Stripe];

    public static IReadOnlyList<string> DefaultCapabilities { get; } = ["invoiceCustomers", "collectPayments"];
}
