using Tally.Billing;
using Tally.Billing.Invoices;

namespace Tally.Invoicer.Invoices;

/// <summary>Period close request: <c>{"period": "2026-11"}</c>; the admin route may name one tenant.</summary>
public sealed class ClosePeriodRequest
{
    public string? Period { get; set; }

    public string? TenantId { get; set; }
}

public sealed record ClosePeriodResponse(string TenantId, string Period, int Created, IReadOnlyList<InvoiceResponse> Invoices)
{
    public static ClosePeriodResponse From(CloseRunResult result) => new(
        result.TenantId,
        result.Period.ToString(),
        result.Invoices.Count(invoice => invoice.Created),
        [.. result.Invoices.Select(invoice => InvoiceResponse.From(invoice.Invoice))]);
}

/// <summary>An invoice, in the style of OpenMeter's billing invoices.</summary>
public sealed record InvoiceResponse(
    string Id,
    string Number,
    string CustomerId,
    string Currency,
    string Status,
    InvoicePeriodResponse Period,
    IReadOnlyList<InvoiceLineResponse> Lines,
    InvoiceTotalsResponse Totals,
    InvoiceExternalIdsResponse ExternalIds,
    DateTime IssuedAt)
{
    public static InvoiceResponse From(Invoice invoice) => new(
        invoice.Id,
        invoice.Number,
        invoice.CustomerId,
        invoice.Currency.Code,
        invoice.Status == InvoiceStatus.Pushed ? "pushed" : "issued",
        new InvoicePeriodResponse(invoice.Period.ToString(), invoice.Period.From.UtcDateTime, invoice.Period.To.UtcDateTime),
        [.. invoice.Lines.Select(line => new InvoiceLineResponse(line.RateCardKey, line.MeterSlug, line.Quantity, line.UnitPrice, line.Amount))],
        new InvoiceTotalsResponse(invoice.Total),
        new InvoiceExternalIdsResponse(invoice.ExternalId),
        invoice.IssuedAt.UtcDateTime);
}

public sealed record InvoicePeriodResponse(string Key, DateTime From, DateTime To);

public sealed record InvoiceLineResponse(string RateCardKey, string MeterSlug, decimal Quantity, decimal UnitPrice, decimal Amount);

public sealed record InvoiceTotalsResponse(decimal Total);

/// <summary>Ids of the invoice elsewhere; <c>invoicing</c> is Stripe's invoice id, null when not pushed.</summary>
public sealed record InvoiceExternalIdsResponse(string? Invoicing);

public sealed record InvoiceListResponse(int Page, int PageSize, int TotalCount, IReadOnlyList<InvoiceResponse> Items);
