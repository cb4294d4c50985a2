using Tally.Billing.Pricing;

namespace Tally.Billing.Invoices;

/// <summary>Turns a customer's charges for a closed period into an invoice draft. Pure.</summary>
public static class InvoiceDrafting
{
    public static Invoice Draft(CustomerCharges charges, DateTimeOffset issuedAt) => new(
        charges.Customer.TenantId,
        Ids.New("inv"),
        Number: "",
        charges.Customer.Id,
        charges.Period,
        charges.Total.Currency,
        [.. charges.Lines.Select(line => new InvoiceLine(line.RateCardKey, line.FeatureKey ?? "", line.PricedQuantity, line.UnitPrice ?? 0m, line.Total.Amount))],
        charges.Total.Amount,
        InvoiceStatus.Issued,
        ExternalId: null,
        issuedAt);
}
