using System.Text.Json;
using Tally.Billing.Calendar;
using Tally.Billing.Pricing;

namespace Tally.Billing.Catalog;

/// <summary>OpenMeter's rate card JSON (<c>RateCardFlatFee</c> / <c>RateCardUsageBased</c>), read with validation and written back.</summary>
public static class RateCardJson
{
    public static RateCard? Read(JsonElement card, string path, JsonFields fields)
    {
        if (card.ValueKind != JsonValueKind.Object)
        {
            fields.Add(path, "must be a rate card object with type flat_fee or usage_based.");
            return null;
        }

        var errorsBefore = fields.Errors.Count;
        var type = fields.Text(card, "type", path, required: true, maxLength: 20);
        if (type is not (null or "flat_fee" or "usage_based"))
        {
            fields.Add(JsonFields.Path(path, "type"), $"is \"{type}\"; use flat_fee or usage_based.");
        }

        var key = fields.Text(card, "key", path, required: true, maxLength: CatalogKey.MaxLength);
        if (key is not null && !CatalogKey.IsValid(key))
        {
            fields.Add(JsonFields.Path(path, "key"), $"is \"{key}\"; use {CatalogKey.Expectation}.");
        }

        var name = fields.Text(card, "name", path, required: true);
        var featureKey = fields.Text(card, "featureKey", path, required: false, maxLength: CatalogKey.MaxLength);
        if (featureKey is not null && key is not null && featureKey != key)
        {
            fields.Add(JsonFields.Path(path, "key"), $"is \"{key}\"; a rate card with a feature must have the feature's key (\"{featureKey}\").");
        }

        if (!card.TryGetProperty("billingCadence", out _))
        {
            fields.Add(JsonFields.Path(path, "billingCadence"), "is required: \"P1M\", or null for a one-time flat fee.");
        }

        var cadence = fields.Duration(card, "billingCadence", path, required: false);
        if (cadence is { } c && c != IsoDuration.Month)
        {
            fields.Add(JsonFields.Path(path, "billingCadence"), $"is \"{c}\"; Tally bills monthly, so rate cards bill every P1M (or once: null).");
        }

        if (type == "usage_based" && cadence is null && fields.Get(card, "billingCadence") is null)
        {
            fields.Add(JsonFields.Path(path, "billingCadence"), "is required on a usage-based rate card: \"P1M\".");
        }

        Price? price = null;
        if (!card.TryGetProperty("price", out var priceJson))
        {
            fields.Add(JsonFields.Path(path, "price"), "is required: a price object, or null for a free rate card.");
        }
        else if (priceJson.ValueKind != JsonValueKind.Null)
        {
            price = PriceJson.Read(priceJson, JsonFields.Path(path, "price"), fields);
        }

        if (type == "flat_fee" && price is not (null or FlatPrice))
        {
            fields.Add(JsonFields.Path(path, "price.type"), "must be flat on a flat_fee rate card.");
        }

        var discounts = PriceJson.ReadDiscounts(card, path, fields);
        if (discounts.UsageQuantity is not null && price is FlatPrice)
        {
            fields.Add(JsonFields.Path(path, "discounts.usage"), "is not allowed with a flat price (there is no usage to discount).");
        }

        var template = ReadTemplate(card, path, fields);
        if (fields.Errors.Count > errorsBefore)
        {
            return null;
        }

        return new RateCard(type == "flat_fee" ? RateCardType.FlatFee : RateCardType.UsageBased, key!, name!, featureKey, cadence, price)
        {
            Description = fields.Description(card, path),
            Metadata = fields.Metadata(card, path),
            Discounts = discounts,
            EntitlementTemplate = template,
        };
    }

    public static void Write(Utf8JsonWriter json, RateCard card)
    {
        json.WriteStartObject();
        json.WriteString("type", card.Type == RateCardType.FlatFee ? "flat_fee" : "usage_based");
        json.WriteString("key", card.Key);
        json.WriteString("name", card.Name);
        if (card.Description is not null)
        {
            json.WriteString("description", card.Description);
        }

        WriteMetadata(json, card.Metadata);
        if (card.FeatureKey is not null)
        {
            json.WriteString("featureKey", card.FeatureKey);
        }

        if (card.BillingCadence is { } cadence)
        {
            json.WriteString("billingCadence", cadence.ToString());
        }
        else
        {
            json.WriteNull("billingCadence");
        }

        json.WritePropertyName("price");
        PriceJson.Write(json, card.Price);
        if (card.Discounts != Discounts.None)
        {
            PriceJson.WriteDiscounts(json, card.Discounts);
        }

        if (card.EntitlementTemplate is { } template)
        {
            WriteTemplate(json, template);
        }

        json.WriteEndObject();
    }

    public static void WriteMetadata(Utf8JsonWriter json, IReadOnlyDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        json.WriteStartObject("metadata");
        foreach (var (name, value) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
    }

    private static EntitlementTemplate? ReadTemplate(JsonElement card, string path, JsonFields fields)
    {
        if (fields.Get(card, "entitlementTemplate") is not { } template)
        {
            return null;
        }

        var at = JsonFields.Path(path, "entitlementTemplate");
        switch (fields.Text(template, "type", at, required: true, maxLength: 20))
        {
            case "metered":
                return new MeteredEntitlementTemplate(
                    fields.Bool(template, "isSoftLimit", at) ?? false,
                    fields.Decimal(template, "issueAfterReset", at, required: false),
                    fields.Int(template, "issueAfterResetPriority", at, 1, 255) ?? 1,
                    fields.Bool(template, "preserveOverageAtReset", at) ?? false,
                    fields.Duration(template, "usagePeriod", at, required: false));
            case "static":
                var config = fields.Text(template, "config", at, required: true, maxLength: 64 * 1024);
                if (config is not null && !IsJson(config))
                {
                    fields.Add(JsonFields.Path(at, "config"), "must be a JSON-encoded string, such as \"{\\\"integrations\\\":[\\\"github\\\"]}\".");
                }

                return config is null ? null : new StaticEntitlementTemplate(config);
            case "boolean":
                return new BooleanEntitlementTemplate();
            case null:
                return null;
            case var other:
                fields.Add(JsonFields.Path(at, "type"), $"is \"{other}\"; use metered, static or boolean.");
                return null;
        }
    }

    private static void WriteTemplate(Utf8JsonWriter json, EntitlementTemplate template)
    {
        json.WriteStartObject("entitlementTemplate");
        switch (template)
        {
            case MeteredEntitlementTemplate metered:
                json.WriteString("type", "metered");
                json.WriteBoolean("isSoftLimit", metered.IsSoftLimit);
                if (metered.IssueAfterReset is { } issue)
                {
                    json.WriteNumber("issueAfterReset", PriceJson.Normalize(issue));
                }

                json.WriteNumber("issueAfterResetPriority", metered.IssueAfterResetPriority);
                json.WriteBoolean("preserveOverageAtReset", metered.PreserveOverageAtReset);
                if (metered.UsagePeriod is { } period)
                {
                    json.WriteString("usagePeriod", period.ToString());
                }

                break;
            case StaticEntitlementTemplate config:
                json.WriteString("type", "static");
                json.WriteString("config", config.Config);
                break;
            default:
                json.WriteString("type", "boolean");
                break;
        }

        json.WriteEndObject();
    }

    internal static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
