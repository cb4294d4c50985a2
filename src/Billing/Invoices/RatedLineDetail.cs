using System.Text;
using System.Text.Json;
using Tally.Billing.Catalog;
using Tally.Billing.Closing;
using Tally.Billing.Rating;

namespace Tally.Billing.Invoices;

/// <summary>
/// How rating arrived at an invoice line, kept with the line as JSON: the subscription, phase and
/// window it rates, the price, the quantities (measured, discounted, priced, covered by grants), the
/// tiers reached and every money step from amount to total. The explanation route and a finance person
/// read it; nothing computes from it.
/// </summary>
public static class RatedLineDetail
{
    public static string Json(RatedLine line, UsageDemand? usage)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("subscriptionId", line.SubscriptionId);
            json.WriteString("phaseKey", line.PhaseKey);
            json.WriteString("rateCardKey", line.RateCardKey);
            if (line.FeatureKey is { } feature)
            {
                json.WriteString("featureKey", feature);
            }

            if (usage is not null)
            {
                json.WriteString("usageKey", usage.Key);
                json.WriteString("meterSlug", usage.Meter.Slug);
            }

            json.WriteString("from", line.From);
            json.WriteString("to", line.To);
            json.WritePropertyName("price");
            PriceJson.Write(json, line.Price);
            Number(json, "quantity", line.Quantity);
            Number(json, "usageDiscountQuantity", line.UsageDiscountQuantity);
            Number(json, "pricedQuantity", line.PricedQuantity);
            Number(json, "grantedQuantity", line.GrantedQuantity);
            Number(json, "prorationFactor", line.ProrationFactor);
            json.WriteStartArray("grants");
            foreach (var grant in line.Grants)
            {
                json.WriteStartObject();
                json.WriteString("grantId", grant.GrantId);
                Number(json, "quantity", grant.Quantity);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("tiers");
            foreach (var tier in line.Tiers)
            {
                json.WriteStartObject();
                json.WriteNumber("index", tier.Index);
                Number(json, "from", tier.From);
                Number(json, "upTo", tier.UpTo);
                Number(json, "quantity", tier.Quantity);
                Number(json, "unitAmount", tier.UnitAmount);
                Number(json, "flatAmount", tier.FlatAmount);
                Number(json, "amount", tier.Amount);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            Number(json, "amount", line.Amount.Amount);
            Number(json, "credits", line.Credits.Amount);
            Number(json, "discount", line.Discount.Amount);
            Number(json, "maximumSpendDiscount", line.MaximumSpendDiscount.Amount);
            Number(json, "minimumSpendCharge", line.MinimumSpendCharge.Amount);
            Number(json, "total", line.Total.Amount);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Number(Utf8JsonWriter json, string name, decimal? value)
    {
        if (value is { } number)
        {
            json.WriteString(name, PriceJson.Numeric(number));
        }
    }
}
