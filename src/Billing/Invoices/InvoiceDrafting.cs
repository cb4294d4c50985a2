using System.Globalization;
using Tally.Billing.Closing;
using Tally.Billing.Rating;

namespace Tally.Billing.Invoices;

/// <summary>Turns rated usage into invoice documents. Pure: the same inputs always give the same document.</summary>
public static class InvoiceDrafting
{
    /// <summary>The period's invoice: one line per rated line, plus one adjustment line per earlier period whose late usage changed its amount.</summary>
    public static Invoice Draft(string invoiceId, string runId, BillingDemand demand, RatedPeriod rated, IReadOnlyList<InvoiceLine> lateAdjustments, DateTimeOffset cutoff, DateTimeOffset now)
    {
        var lines = rated.Lines.Select(line => ToInvoiceLine(line, demand)).Concat(lateAdjustments).ToList();
        return new Invoice(
            demand.Customer.TenantId,
            invoiceId,
            InvoiceKind.Standard,
            demand.Customer.Id,
            demand.Period,
            demand.From,
            demand.To,
            demand.Currency,
            lines,
            lines.Sum(l => l.Amount),
            InvoiceStatus.Draft,
            now)
        {
            CloseRunId = runId,
            UsageCutoff = cutoff,
        };
    }

    /// <summary>
    /// The adjustment line for late usage of a closed period: the period re-rated with everything stored
    /// now, minus what was invoiced for it; null when that is zero.
    /// </summary>
    public static InvoiceLine? LateUsageLine(BillingPeriod covers, RatedPeriod rerated, InvoicedPeriod invoiced, long lateEvents, string detail)
    {
        var difference = rerated.Total.Amount - invoiced.Net;
        return difference == 0m
            ? null
            : new InvoiceLine($"late-{covers}", $"Usage of {covers} reported after it was invoiced ({lateEvents.ToString(CultureInfo.InvariantCulture)} events)", null, null, lateEvents, null, difference)
            {
                Covers = covers,
                Detail = detail,
            };
    }

    /// <summary>
    /// The correction of a closed period after a re-run: an adjustment invoice when the period now rates
    /// higher than invoiced, a credit note when lower, nothing when equal.
    /// </summary>
    public static Invoice? Correction(string invoiceId, string runId, BillingDemand demand, RatedPeriod rerated, InvoicedPeriod invoiced, DateTimeOffset cutoff, DateTimeOffset now)
    {
        var difference = rerated.Total.Amount - invoiced.Net;
        if (difference == 0m)
        {
            return null;
        }

        var kind = difference > 0 ? InvoiceKind.Standard : InvoiceKind.CreditNote;
        var line = new InvoiceLine(
            $"rerun-{demand.Period}",
            $"{(kind == InvoiceKind.Standard ? "Adjustment" : "Credit")} for {demand.Period}: re-rated {rerated.Total.Amount.ToString(CultureInfo.InvariantCulture)}, invoiced {invoiced.Net.ToString(CultureInfo.InvariantCulture)}",
            null,
            null,
            1m,
            null,
            Math.Abs(difference))
        {
            Covers = demand.Period,
        };
        return new Invoice(demand.Customer.TenantId, invoiceId, kind, demand.Customer.Id, demand.Period, demand.From, demand.To, demand.Currency, [line], Math.Abs(difference), InvoiceStatus.Draft, now)
        {
            CloseRunId = runId,
            // An adjustment corrects the period's invoice; a credit note takes back from the newest document,
            // the adjustment that last raised the period's amount if there is one (PaymentDocument credits it).
            Corrects = kind == InvoiceKind.CreditNote ? invoiced.LatestInvoiceId ?? invoiced.InvoiceId : invoiced.InvoiceId,
            UsageCutoff = cutoff,
        };
    }

    /// <summary>
    /// An invoice line for a rated line: keyed by what it rates (rate card, subscription, phase and start),
    /// so a re-run or a payment processor sees the same line under the same key; it charges the line's total.
    /// </summary>
    private static InvoiceLine ToInvoiceLine(RatedLine line, BillingDemand demand)
    {
        var usage = demand.Usage.FirstOrDefault(u => u.FeatureKey == line.FeatureKey && u.From == line.From && u.To == line.To)
            ?? demand.Usage.FirstOrDefault(u => u.FeatureKey == line.FeatureKey);
        var key = string.Create(CultureInfo.InvariantCulture, $"{line.RateCardKey}/{line.SubscriptionId}/{line.PhaseKey}/{line.From.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");
        return new InvoiceLine(key, line.Name, line.RateCardKey, usage?.Meter.Slug, line.Quantity, line.UnitPrice, line.Total.Amount)
        {
            Detail = RatedLineDetail.Json(line, usage),
        };
    }
}
