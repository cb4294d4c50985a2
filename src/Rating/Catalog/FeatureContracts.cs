using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Meters;

namespace Tally.Rating.Catalog;

/// <summary>OpenMeter's <c>Feature</c>.</summary>
public sealed record FeatureResponse(
    string Id,
    string Key,
    string Name,
    IReadOnlyDictionary<string, string>? Metadata,
    string? MeterSlug,
    IReadOnlyDictionary<string, string>? MeterGroupByFilters,
    IReadOnlyDictionary<string, Dictionary<string, object>>? AdvancedMeterGroupByFilters,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? ArchivedAt)
{
    public static FeatureResponse From(Feature feature)
    {
        var equality = feature.Filters.Where(f => f.Operator == DataOperator.Eq).ToDictionary(f => f.GroupBy, f => f.Values[0], StringComparer.Ordinal);
        var advanced = feature.Filters.ToDictionary(
            f => f.GroupBy,
            f => new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [$"${f.Operator.ToString().ToLowerInvariant()}"] = f.Operator is DataOperator.In or DataOperator.Nin ? f.Values : f.Values[0],
            },
            StringComparer.Ordinal);
        return new FeatureResponse(
            feature.Id,
            feature.Key,
            feature.Name,
            feature.Metadata,
            feature.MeterSlug,
            feature.MeterSlug is null ? null : equality,
            feature.MeterSlug is null || advanced.Count == 0 ? null : advanced,
            feature.CreatedAt.UtcDateTime,
            feature.UpdatedAt.UtcDateTime,
            RatingJson.Utc(feature.ArchivedAt));
    }
}

/// <summary>Reads OpenMeter's <c>FeatureCreateInputs</c>; the meter named must exist and the filters name its groupBy properties.</summary>
internal static class FeatureBody
{
    public static Feature? Read(JsonElement body, string tenantId, string id, DateTimeOffset now, Func<string, MeterDefinition?> meters, List<FieldError> errors)
    {
        var fields = new JsonFields(errors);
        if (body.ValueKind != JsonValueKind.Object)
        {
            fields.Add("body", "must be a JSON object.");
            return null;
        }

        var key = fields.Text(body, "key", "", required: true, maxLength: CatalogKey.MaxLength);
        if (key is not null && !CatalogKey.IsValid(key))
        {
            fields.Add("key", $"is \"{key}\"; use {CatalogKey.Expectation}.");
        }

        var name = fields.Text(body, "name", "", required: true);
        var slug = fields.Text(body, "meterSlug", "", required: false, maxLength: Limits.Key);
        var meter = slug is null ? null : meters(slug);
        if (slug is not null && meter is null)
        {
            fields.Add("meterSlug", $"\"{slug}\" is not one of your meters; create it first with POST /api/v1/meters.");
        }

        var filters = new List<FeatureFilter>();
        if (fields.Get(body, "meterGroupByFilters") is { } simple)
        {
            ReadFilters(simple, "meterGroupByFilters", meter, slug, fields, filters, advanced: false);
        }

        if (fields.Get(body, "advancedMeterGroupByFilters") is { } advancedFilters)
        {
            ReadFilters(advancedFilters, "advancedMeterGroupByFilters", meter, slug, fields, filters, advanced: true);
        }

        if (fields.Has(body, "unitCost"))
        {
            fields.Add("unitCost", "is not supported; price usage with a plan's rate cards.");
        }

        var metadata = fields.Metadata(body, "");
        return errors.Count > 0 ? null : new Feature(tenantId, id, key!, name!, meter?.Slug, filters, metadata, now, now, null);
    }

    private static void ReadFilters(JsonElement json, string path, MeterDefinition? meter, string? slug, JsonFields fields, List<FeatureFilter> filters, bool advanced)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            fields.Add(path, "must be an object of groupBy property to filter.");
            return;
        }

        if (slug is null)
        {
            fields.Add(path, "needs a meterSlug: the filters are on that meter's groupBy properties.");
            return;
        }

        foreach (var property in json.EnumerateObject())
        {
            var at = $"{path}.{property.Name}";
            if (meter is not null && !meter.GroupBy.ContainsKey(property.Name))
            {
                fields.Add(at, $"meter {meter.Slug} has no groupBy property \"{property.Name}\"; it has: {string.Join(", ", meter.GroupBy.Keys.Order(StringComparer.Ordinal))}.");
                continue;
            }

            if (!advanced)
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    fields.Add(at, "must be the string value to match.");
                    continue;
                }

                filters.Add(new FeatureFilter(property.Name, DataOperator.Eq, [property.Value.GetString()!]));
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                fields.Add(at, "must be a filter such as {\"$eq\": \"gpt-4\"} or {\"$in\": [\"a\", \"b\"]}.");
                continue;
            }

            foreach (var condition in property.Value.EnumerateObject())
            {
                DataOperator? op = condition.Name switch
                {
                    "$eq" => DataOperator.Eq,
                    "$ne" => DataOperator.Ne,
                    "$in" => DataOperator.In,
                    "$nin" => DataOperator.Nin,
                    _ => null,
                };
                var values = condition.Value.ValueKind switch
                {
                    JsonValueKind.String => [condition.Value.GetString()!],
                    JsonValueKind.Array when condition.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String) => condition.Value.EnumerateArray().Select(v => v.GetString()!).ToList(),
                    _ => (List<string>?)null,
                };
                if (op is null || values is not { Count: > 0 })
                {
                    fields.Add($"{at}.{condition.Name}", "Tally filters with $eq, $ne (a string), $in and $nin (strings); other operators are not supported.");
                    continue;
                }

                filters.Add(new FeatureFilter(property.Name, op.Value, values));
            }
        }
    }
}
