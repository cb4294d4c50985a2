using System.Globalization;
using System.Text.Json;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;

namespace Tally.Invoicer.Invoices;

/// <summary>An invoice in OpenMeter's shape (<c>/api/v1/billing/invoices</c>); amounts are decimal strings.</summary>
public sealed record InvoiceResponse(
    string Id,
    string Type,
    string? Number,
    string Currency,
    string Status,
    InvoiceStatusDetailsResponse StatusDetails,
    InvoiceCustomerResponse Customer,
    InvoicePartyResponse Supplier,
    InvoicePeriodResponse Period,
    InvoiceTotalsResponse Totals,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? IssuedAt,
    DateTime? VoidedAt,
    InvoiceExternalIdsResponse ExternalIds,
    IReadOnlyList<InvoiceValidationIssueResponse> ValidationIssues,
    IReadOnlyList<InvoiceDocumentRefResponse>? Preceding,
    InvoiceWorkflowResponse Workflow,
    IReadOnlyList<InvoiceLineResponse>? Lines,
    IReadOnlyDictionary<string, string> Metadata)
{
    public static InvoiceResponse From(Invoice invoice, Customer? customer, string tenantName, bool withLines) => new(
        invoice.Id,
        invoice.Kind == InvoiceKind.CreditNote ? "credit_note" : "standard",
        invoice.Number,
        invoice.Currency.Code,
        StatusName(invoice.Status),
        InvoiceStatusDetailsResponse.From(invoice),
        new InvoiceCustomerResponse(invoice.CustomerId, customer?.Key, customer?.Name, new InvoiceUsageAttributionResponse(customer?.SubjectKeys ?? [])),
        new InvoicePartyResponse(null, null, tenantName),
        new InvoicePeriodResponse(invoice.PeriodFrom.UtcDateTime, invoice.PeriodTo.UtcDateTime),
        InvoiceTotalsResponse.Of(invoice.Total),
        invoice.CreatedAt.UtcDateTime,
        (invoice.VoidedAt ?? invoice.IssuedAt ?? invoice.CreatedAt).UtcDateTime,
        invoice.IssuedAt?.UtcDateTime,
        invoice.VoidedAt?.UtcDateTime,
        new InvoiceExternalIdsResponse(invoice.ExternalId),
        [.. invoice.Issues.Select(i => new InvoiceValidationIssueResponse(i.Code, i.Severity, i.Code, "checks", i.Message))],
        invoice.Corrects is { } corrects ? [new InvoiceDocumentRefResponse(corrects, "credit_note_original_invoice")] : null,
        new InvoiceWorkflowResponse("default", new Dictionary<string, object>()),
        withLines ? [.. invoice.Lines.Select((line, i) => InvoiceLineResponse.From(invoice, line, i))] : null,
        new Dictionary<string, string>
        {
            ["tally.period"] = invoice.Period.ToString(),
            ["tally.closeRunId"] = invoice.CloseRunId ?? "",
        });

    /// <summary>OpenMeter's status names.</summary>
    public static string StatusName(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Draft or InvoiceStatus.PendingApproval => "draft",
        InvoiceStatus.Issued => "issued",
        _ => "voided",
    };

    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

public sealed record InvoiceStatusDetailsResponse(bool Immutable, bool Failed, string ExtendedStatus, IReadOnlyDictionary<string, InvoiceActionResponse> AvailableActions)
{
    public static InvoiceStatusDetailsResponse From(Invoice invoice)
    {
        var actions = new Dictionary<string, InvoiceActionResponse>();
        switch (invoice.Status)
        {
            case InvoiceStatus.PendingApproval:
                actions["approve"] = new("issued");
                actions["void"] = new("voided");
                break;
            case InvoiceStatus.Issued:
                actions["void"] = new("voided");
                break;
        }

        var extended = invoice.Status switch
        {
            InvoiceStatus.Draft => "draft.created",
            InvoiceStatus.PendingApproval => "draft.manual_approval_needed",
            InvoiceStatus.Issued => "issued",
            _ => "voided",
        };
        return new(invoice.Status is InvoiceStatus.Issued or InvoiceStatus.Voided, false, extended, actions);
    }
}

public sealed record InvoiceActionResponse(string ResultingState);

public sealed record InvoiceCustomerResponse(string Id, string? Key, string? Name, InvoiceUsageAttributionResponse UsageAttribution);

public sealed record InvoiceUsageAttributionResponse(IReadOnlyList<string> SubjectKeys);

public sealed record InvoicePartyResponse(string? Id, string? Key, string Name);

public sealed record InvoicePeriodResponse(DateTime From, DateTime To);

/// <summary>OpenMeter's totals; Tally has no taxes, discounts or credits on invoice level, so those are zero.</summary>
public sealed record InvoiceTotalsResponse(string Amount, string ChargesTotal, string DiscountsTotal, string CreditsTotal, string TaxesInclusiveTotal, string TaxesExclusiveTotal, string TaxesTotal, string Total)
{
    public static InvoiceTotalsResponse Of(decimal total) =>
        new(InvoiceResponse.Format(total), "0", "0", "0", "0", "0", "0", InvoiceResponse.Format(total));
}

public sealed record InvoiceExternalIdsResponse(string? Invoicing);

public sealed record InvoiceValidationIssueResponse(string Id, string Severity, string Code, string Component, string Message);

public sealed record InvoiceDocumentRefResponse(string Id, string Type);

public sealed record InvoiceWorkflowResponse(string SourceBillingProfileId, IReadOnlyDictionary<string, object> Workflow);

/// <summary>
/// A line in OpenMeter's shape (every top-level line is <c>usage_based</c>). A rated line's rate card is
/// <c>{featureKey, price}</c> with the full price it was rated with (unit, tiered, package or flat, with its
/// commitments), as the gathering invoice shows it; <c>featureKey</c> mirrors the rate card's, as OpenMeter's
/// deprecated field does.
/// </summary>
public sealed record InvoiceLineResponse(
    string Id,
    string Name,
    string? Description,
    string Type,
    string Status,
    string ManagedBy,
    string Currency,
    InvoicePeriodResponse Period,
    DateTime InvoiceAt,
    string Quantity,
    string? FeatureKey,
    InvoiceRateCardResponse? RateCard,
    InvoiceTotalsResponse Totals,
    IReadOnlyDictionary<string, string> Metadata)
{
    public static InvoiceLineResponse From(Invoice invoice, InvoiceLine line, int ordinal)
    {
        var rateCard = InvoiceRateCardResponse.Of(line);
        return new(
            $"{invoice.Id}-{ordinal}",
            line.Description,
            line.Covers is null ? null : $"Adjustment for {line.Covers}",
            "usage_based",
            "valid",
            line.Covers is null ? "subscription" : "system",
            invoice.Currency.Code,
            new InvoicePeriodResponse(invoice.PeriodFrom.UtcDateTime, invoice.PeriodTo.UtcDateTime),
            invoice.PeriodTo.UtcDateTime,
            InvoiceResponse.Format(line.Quantity),
            rateCard?.FeatureKey,
            rateCard,
            InvoiceTotalsResponse.Of(line.Amount),
            line.Covers is { } covers ? new Dictionary<string, string> { ["tally.covers"] = covers.ToString() } : new Dictionary<string, string>());
    }
}

/// <summary>OpenMeter's <c>InvoiceUsageBasedRateCard</c>: the feature and the price (OpenMeter's price JSON, or null for a free rate card).</summary>
public sealed record InvoiceRateCardResponse(string? FeatureKey, JsonElement Price)
{
    /// <summary>
    /// The rate card a line was rated with, read from the line's detail (<c>RatedLineDetail</c>). Lines rating
    /// did not price have none: a late-usage adjustment or a re-run's correction is a difference of totals, not
    /// usage at a price. A line stored before details existed keeps the unit price it was stored with.
    /// </summary>
    public static InvoiceRateCardResponse? Of(InvoiceLine line)
    {
        if (line.Detail is { } detail)
        {
            using var json = JsonDocument.Parse(detail);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("price", out var price))
            {
                var feature = root.TryGetProperty("featureKey", out var key) && key.ValueKind == JsonValueKind.String ? key.GetString() : null;
                return new InvoiceRateCardResponse(feature, price.Clone());
            }
        }

        return line.UnitPrice is { } unit
            ? new InvoiceRateCardResponse(null, JsonSerializer.SerializeToElement(new { type = "unit", amount = InvoiceResponse.Format(unit) }))
            : null;
    }
}
