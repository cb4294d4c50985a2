using System.Globalization;
using System.Text.Json;
using Tally.Billing.Pricing;

namespace Tally.Billing.Catalog;

/// <summary>
/// OpenMeter's price, discount and commitment JSON (<c>RateCardUsageBasedPrice</c>), read with
/// validation and written back the same way, for request bodies and the ledger alike.
/// </summary>
public static class PriceJson
{
    private const int MaxTiers = 50;

    public static Price? Read(JsonElement price, string path, JsonFields fields)
    {
        var type = fields.Text(price, "type", path, required: true, maxLength: 20);
        switch (type)
        {
            case null:
                return null;
            case "flat":
                var amount = fields.Decimal(price, "amount", path, required: true);
                var term = fields.Text(price, "paymentTerm", path, required: false, maxLength: 20);
                if (term is not (null or "in_advance" or "in_arrears"))
                {
                    fields.Add(JsonFields.Path(path, "paymentTerm"), $"is \"{term}\"; use in_advance or in_arrears.");
                }

                return amount is { } flat ? new FlatPrice(flat, term == "in_arrears" ? PaymentTerm.InArrears : PaymentTerm.InAdvance) : null;
            case "unit":
                var unit = fields.Decimal(price, "amount", path, required: true);
                return WithCommitments(unit is { } u ? new UnitPrice(u) : null, price, path, fields);
            case "package":
                var packageAmount = fields.Decimal(price, "amount", path, required: true);
                var perPackage = fields.Decimal(price, "quantityPerPackage", path, required: true, minimum: 0m, exclusive: true);
                return WithCommitments(packageAmount is { } p && perPackage is { } q ? new PackagePrice(p, q) : null, price, path, fields);
            case "tiered":
                return WithCommitments(Tiered(price, path, fields), price, path, fields);
            default:
                fields.Add(JsonFields.Path(path, "type"), $"is \"{type}\"; use flat, unit, tiered or package (dynamic prices are not supported).");
                return null;
        }
    }

    public static Discounts ReadDiscounts(JsonElement card, string path, JsonFields fields)
    {
        if (fields.Get(card, "discounts") is not { } discounts)
        {
            return Discounts.None;
        }

        var at = JsonFields.Path(path, "discounts");
        decimal? percentage = null;
        if (fields.Get(discounts, "percentage") is { } pct)
        {
            var pctPath = JsonFields.Path(at, "percentage");
            percentage = fields.Decimal(pct, "percentage", pctPath, required: true);
            if (percentage > 100m)
            {
                fields.Add(JsonFields.Path(pctPath, "percentage"), "must be at most 100.");
                percentage = null;
            }
        }

        decimal? usage = null;
        if (fields.Get(discounts, "usage") is { } used)
        {
            usage = fields.Decimal(used, "quantity", JsonFields.Path(at, "usage"), required: true);
        }

        return new Discounts(percentage, usage);
    }

    public static void Write(Utf8JsonWriter json, Price? price)
    {
        if (price is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        switch (price)
        {
            case FlatPrice flat:
                json.WriteString("type", "flat");
                json.WriteString("amount", Numeric(flat.Amount));
                json.WriteString("paymentTerm", flat.PaymentTerm == PaymentTerm.InArrears ? "in_arrears" : "in_advance");
                break;
            case UnitPrice unit:
                json.WriteString("type", "unit");
                json.WriteString("amount", Numeric(unit.Amount));
                break;
            case PackagePrice package:
                json.WriteString("type", "package");
                json.WriteString("amount", Numeric(package.Amount));
                json.WriteString("quantityPerPackage", Numeric(package.QuantityPerPackage));
                break;
            case TieredPrice tiered:
                json.WriteString("type", "tiered");
                json.WriteString("mode", tiered.Mode == TierMode.Graduated ? "graduated" : "volume");
                json.WriteStartArray("tiers");
                foreach (var tier in tiered.Tiers)
                {
                    json.WriteStartObject();
                    if (tier.UpToAmount is { } upTo)
                    {
                        json.WriteString("upToAmount", Numeric(upTo));
                    }

                    WriteAmount(json, "flatPrice", "flat", tier.FlatAmount);
                    WriteAmount(json, "unitPrice", "unit", tier.UnitAmount);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                break;
        }

        if (price is UsagePrice { Commitments: var commitments })
        {
            if (commitments.MinimumAmount is { } minimum)
            {
                json.WriteString("minimumAmount", Numeric(minimum));
            }

            if (commitments.MaximumAmount is { } maximum)
            {
                json.WriteString("maximumAmount", Numeric(maximum));
            }
        }

        json.WriteEndObject();
    }

    public static void WriteDiscounts(Utf8JsonWriter json, Discounts discounts)
    {
        json.WriteStartObject("discounts");
        if (discounts.Percentage is { } percentage)
        {
            json.WriteStartObject("percentage");
            json.WriteNumber("percentage", Normalize(percentage));
            json.WriteEndObject();
        }

        if (discounts.UsageQuantity is { } quantity)
        {
            json.WriteStartObject("usage");
            json.WriteString("quantity", Numeric(quantity));
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>OpenMeter's <c>Numeric</c>: a decimal string without trailing zeros or exponent.</summary>
    public static string Numeric(decimal value) => Normalize(value).ToString(CultureInfo.InvariantCulture);

    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    private static void WriteAmount(Utf8JsonWriter json, string name, string type, decimal? amount)
    {
        if (amount is not { } value)
        {
            json.WriteNull(name);
            return;
        }

        json.WriteStartObject(name);
        json.WriteString("type", type);
        json.WriteString("amount", Numeric(value));
        json.WriteEndObject();
    }

    private static UsagePrice? WithCommitments(UsagePrice? price, JsonElement json, string path, JsonFields fields)
    {
        var minimum = fields.Decimal(json, "minimumAmount", path, required: false);
        var maximum = fields.Decimal(json, "maximumAmount", path, required: false);
        if (minimum is { } min && maximum is { } max && min > max)
        {
            fields.Add(JsonFields.Path(path, "minimumAmount"), $"is {Numeric(min)}, above maximumAmount {Numeric(max)}; the minimum commitment must not exceed the maximum.");
        }

        return price is null ? null : price with { Commitments = new Commitments(minimum, maximum) };
    }

    private static TieredPrice? Tiered(JsonElement price, string path, JsonFields fields)
    {
        var mode = fields.Text(price, "mode", path, required: true, maxLength: 20);
        if (mode is not (null or "volume" or "graduated"))
        {
            fields.Add(JsonFields.Path(path, "mode"), $"is \"{mode}\"; use volume or graduated.");
        }

        var at = JsonFields.Path(path, "tiers");
        if (fields.Get(price, "tiers") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() is 0 or > MaxTiers)
        {
            fields.Add(at, $"must list 1 to {MaxTiers} tiers, ordered by upToAmount, the last without one.");
            return null;
        }

        var errorsBefore = fields.Errors.Count;
        var tiers = new List<PriceTier>();
        var count = list.GetArrayLength();
        decimal? previous = null;
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var tierPath = $"{at}[{index}]";
            var upTo = fields.Decimal(item, "upToAmount", tierPath, required: false, minimum: 0m, exclusive: true);
            var last = index == count - 1;
            if (last && fields.Has(item, "upToAmount"))
            {
                fields.Add(JsonFields.Path(tierPath, "upToAmount"), "must be left out on the last tier, which has no upper bound.");
            }
            else if (!last && !fields.Has(item, "upToAmount"))
            {
                fields.Add(JsonFields.Path(tierPath, "upToAmount"), "is required on every tier but the last.");
            }
            else if (upTo is { } bound && previous is { } lower && bound <= lower)
            {
                fields.Add(JsonFields.Path(tierPath, "upToAmount"), $"is {Numeric(bound)}, not above the previous tier's {Numeric(lower)}; tiers must be ordered and must not overlap.");
            }

            var flat = TierAmount(item, "flatPrice", "flat", tierPath, fields);
            var unit = TierAmount(item, "unitPrice", "unit", tierPath, fields);
            if (flat is null && unit is null && !fields.Has(item, "flatPrice") && !fields.Has(item, "unitPrice"))
            {
                fields.Add(tierPath, "needs a flatPrice, a unitPrice or both.");
            }

            tiers.Add(new PriceTier(upTo, flat, unit));
            previous = upTo ?? previous;
            index++;
        }

        return fields.Errors.Count > errorsBefore || mode is null
            ? null
            : new TieredPrice(mode == "graduated" ? TierMode.Graduated : TierMode.Volume, tiers);
    }

    private static decimal? TierAmount(JsonElement tier, string name, string type, string path, JsonFields fields)
    {
        if (fields.Get(tier, name) is not { } price)
        {
            return null;
        }

        var at = JsonFields.Path(path, name);
        var given = fields.Text(price, "type", at, required: false, maxLength: 20);
        if (given is not null && given != type)
        {
            fields.Add(JsonFields.Path(at, "type"), $"is \"{given}\"; a tier's {name} has type {type}.");
        }

        return fields.Decimal(price, "amount", at, required: true);
    }
}
