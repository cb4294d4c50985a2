using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Pricing;
using Tally.Billing.Rating;
using Tally.Rating.Subscriptions;

namespace Tally.Rating.Billing;

/// <summary>
/// A live bill as OpenMeter's gathering invoice (<c>status: gathering</c>): one line per rated rate card
/// with its quantity, price, discounts, credits from grants and totals, and detailed child lines for the
/// tiers reached and a minimum-spend commitment. Amounts are OpenMeter's decimal strings.
/// </summary>
public static class GatheringInvoice
{
    public const string ProfileId = "default";

    public static object From(Customer customer, RatedPeriod bill, bool withLines, DateTimeOffset now) => new
    {
        id = $"gathering_{customer.Id}",
        type = "standard",
        number = $"GATHER-{Prefix(customer.Key)}-{bill.Currency.Code}-1",
        status = "gathering",
        statusDetails = new { immutable = false, failed = false, extendedStatus = "gathering", availableActions = new { } },
        currency = bill.Currency.Code,
        supplier = new { name = "Tally" },
        customer = new { id = customer.Id, key = customer.Key, name = customer.Name, usageAttribution = new { subjectKeys = customer.SubjectKeys } },
        period = new PeriodResponse(bill.From.UtcDateTime, bill.To.UtcDateTime),
        totals = Totals(bill.Amount.Amount, bill.ChargesTotal.Amount, bill.DiscountsTotal.Amount, bill.CreditsTotal.Amount, bill.Total.Amount),
        workflow = new { sourceBillingProfileId = ProfileId, workflow = BillingProfiles.DefaultWorkflow },
        createdAt = bill.From.UtcDateTime,
        updatedAt = now.UtcDateTime,
        lines = withLines ? bill.Lines.Select((line, i) => Line(line, i)).ToList() : null,
    };

    private static object Line(RatedLine line, int index)
    {
        using var price = Json(json => PriceJson.Write(json, line.Price));
        var usage = line.Price is UsagePrice;
        var children = new List<object>();
        foreach (var tier in line.Tiers)
        {
            if (tier.UnitAmount is { } unit && tier.Quantity > 0m)
            {
                children.Add(Child(line, $"{line.Name}: tier {tier.Index + 1} units", "regular", tier.Quantity, unit, tier.Quantity * unit));
            }

            if (tier.FlatAmount is { } flat)
            {
                children.Add(Child(line, $"{line.Name}: tier {tier.Index + 1} flat fee", "regular", 1m, flat, flat));
            }
        }

        if (line.MinimumSpendCharge.Amount > 0m)
        {
            children.Add(Child(line, $"{line.Name}: minimum spend", "commitment", 1m, line.MinimumSpendCharge.Amount, line.MinimumSpendCharge.Amount));
        }

        var discounts = new List<object>();
        if (line.Discount.Amount > 0m)
        {
            discounts.Add(new { id = $"{LineId(line)}_percentage", reason = new { type = "ratecard_percentage" }, amount = Money(line.Discount.Amount) });
        }

        if (line.MaximumSpendDiscount.Amount > 0m)
        {
            discounts.Add(new { id = $"{LineId(line)}_maximum", reason = new { type = "maximum_spend" }, amount = Money(line.MaximumSpendDiscount.Amount) });
        }

        return new
        {
            id = LineId(line),
            name = line.Name,
            type = "usage_based",
            managedBy = "subscription",
            status = "valid",
            currency = line.Amount.Currency.Code,
            period = new PeriodResponse(line.From.UtcDateTime, line.To.UtcDateTime),
            invoiceAt = line.InvoiceAt.UtcDateTime,
            featureKey = line.FeatureKey,
            quantity = Numeric(usage ? line.PricedQuantity : line.ProrationFactor),
            meteredQuantity = usage ? Numeric(line.Quantity) : null,
            price = price.RootElement.Clone(),
            rateCard = new { featureKey = line.FeatureKey, price = price.RootElement.Clone() },
            discounts = new
            {
                amount = discounts,
                usage = line.UsageDiscountQuantity > 0m
                    ? new[] { new { id = $"{LineId(line)}_usage", reason = new { type = "ratecard_usage" }, quantity = Numeric(line.UsageDiscountQuantity) } }
                    : [],
            },
            creditAllocations = line.Grants.Count == 0 && line.Credits.Amount == 0m
                ? []
                : new[] { new { amount = Money(line.Credits.Amount), description = $"grants covered {Numeric(line.GrantedQuantity)} units" } },
            grantsApplied = line.Grants.Select(g => new { grantId = g.GrantId, quantity = Numeric(g.Quantity) }).ToList(),
            unitPrice = line.UnitPrice is { } u ? Numeric(u) : null,
            packages = line.Packages is { } p ? Numeric(p) : null,
            subscription = new
            {
                subscription = new { id = line.SubscriptionId },
                phase = new { id = $"{line.SubscriptionId}_{line.PhaseKey}" },
                item = new { id = $"{line.SubscriptionId}_{line.PhaseKey}_{line.RateCardKey}" },
                billingPeriod = new PeriodResponse(line.From.UtcDateTime, line.To.UtcDateTime),
            },
            totals = Totals(line.Amount.Amount, line.MinimumSpendCharge.Amount, line.DiscountsTotal.Amount, line.Credits.Amount, line.Total.Amount),
            children,
        };
    }

    private static object Child(RatedLine line, string name, string category, decimal quantity, decimal perUnit, decimal amount) => new
    {
        name,
        type = "flat_fee",
        category,
        quantity = Numeric(quantity),
        perUnitAmount = Numeric(perUnit),
        period = new PeriodResponse(line.From.UtcDateTime, line.To.UtcDateTime),
        invoiceAt = line.InvoiceAt.UtcDateTime,
        paymentTerm = "in_arrears",
        totals = Totals(amount, 0m, 0m, 0m, amount),
    };

    /// <summary>Totals as OpenMeter's decimal strings; rounded amounts keep the currency's minor units (110.50).</summary>
    private static object Totals(decimal amount, decimal charges, decimal discounts, decimal credits, decimal total) => new
    {
        amount = Money(amount),
        chargesTotal = Money(charges),
        discountsTotal = Money(discounts),
        creditsTotal = Money(credits),
        taxesInclusiveTotal = "0",
        taxesExclusiveTotal = "0",
        taxesTotal = "0",
        total = Money(total),
    };

    private static string Money(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string LineId(RatedLine line) => $"{line.SubscriptionId}_{line.PhaseKey}_{line.RateCardKey}_{line.From.ToUnixTimeSeconds()}";

    private static string Numeric(decimal value) => PriceJson.Numeric(value);

    private static string Prefix(string key) => new([.. key.ToUpperInvariant().Where(char.IsLetterOrDigit).Take(5)]);

    private static JsonDocument Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }
}
