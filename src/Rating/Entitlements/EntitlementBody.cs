using System.Text.Json;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Entitlements;
using Tally.Billing.Meters;

namespace Tally.Rating.Entitlements;

/// <summary>Reads OpenMeter's entitlement create inputs (v1 and v2) and grant create inputs, naming every bad field.</summary>
internal static class EntitlementBody
{
    private const int MaxGrantsAtCreate = 20;

    /// <summary>The feature a body names by <c>featureKey</c> or <c>featureId</c>, checked the way the entitlement's type needs it.</summary>
    public static async Task<Feature?> FeatureAsync(JsonElement body, IFeatureStore features, IMeterStore meters, string tenantId, JsonFields fields, CancellationToken cancellationToken)
    {
        var field = fields.Has(body, "featureKey") ? "featureKey" : "featureId";
        var reference = fields.Text(body, field, "", required: false, maxLength: Limits.Identifier);
        if (reference is null)
        {
            fields.Add("featureKey", "is required (or featureId): the feature the entitlement is to.");
            return null;
        }

        var feature = await features.GetAsync(tenantId, reference, cancellationToken);
        if (feature is not { ArchivedAt: null })
        {
            fields.Add(field, $"\"{reference}\" is not one of your features (or it is archived); create it with POST /api/v1/features.");
            return null;
        }

        if (body.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "metered")
        {
            var meter = feature.MeterSlug is { } slug ? await meters.GetAsync(tenantId, slug, cancellationToken) : null;
            if (meter is null)
            {
                fields.Add(field, $"feature \"{feature.Key}\" has no meter; a metered entitlement measures a feature's meter.");
            }
            else if (meter.Aggregation is not (MeterAggregation.Sum or MeterAggregation.Count))
            {
                fields.Add(field, $"feature \"{feature.Key}\" measures meter \"{meter.Slug}\", which aggregates with {meter.Aggregation}; grants burn down a SUM or COUNT meter.");
            }
        }

        return feature;
    }

    public static (Entitlement? Entitlement, IReadOnlyList<Grant> Grants) Read(JsonElement body, Customer customer, Feature? feature, DateTimeOffset now, bool v2, JsonFields fields)
    {
        var type = fields.Text(body, "type", "", required: true, maxLength: 20);
        if (type is not (null or "metered" or "boolean" or "static"))
        {
            fields.Add("type", $"is \"{type}\"; use metered, boolean or static.");
        }

        var usagePeriod = UsagePeriod(body, now, type == "metered", fields);
        var metadata = fields.Metadata(body, "");
        if (feature is null || type is null || fields.Errors.Count > 0)
        {
            return (null, []);
        }

        var entitlement = new Entitlement(customer.TenantId, Ids.NewUlid(now), Enum.Parse<EntitlementType>(type, ignoreCase: true), customer.Id, feature.Id, feature.Key, now, null, now)
        {
            Metadata = metadata,
            UsagePeriod = usagePeriod,
        };
        var grants = new List<Grant>();
        switch (type)
        {
            case "static":
                var config = fields.Text(body, "config", "", required: true, maxLength: 64 * 1024);
                if (config is not null && !IsJson(config))
                {
                    fields.Add("config", "must be a JSON-encoded string, such as \"{\\\"integrations\\\":[\\\"github\\\"]}\".");
                }

                entitlement = entitlement with { Config = config };
                break;
            case "metered":
                var measureFrom = MeasureUsageFrom(body, usagePeriod!, now, fields);
                decimal? issue = fields.Decimal(body, "issueAfterReset", "", required: false);
                var priority = fields.Int(body, "issueAfterResetPriority", "", 1, 255) ?? 1;
                if (fields.Get(body, "issue") is { } issued)
                {
                    issue = fields.Decimal(issued, "amount", "issue", required: true);
                    priority = fields.Int(issued, "priority", "issue", 1, 255) ?? 1;
                }

                entitlement = entitlement with
                {
                    MeasureUsageFrom = measureFrom,
                    IsSoftLimit = fields.Bool(body, "isSoftLimit", "") ?? false,
                    PreserveOverageAtReset = fields.Bool(body, "preserveOverageAtReset", "") ?? false,
                    IssueAmount = issue,
                    IssuePriority = priority,
                };
                if (v2 && fields.Get(body, "grants") is { } list)
                {
                    if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxGrantsAtCreate)
                    {
                        fields.Add("grants", $"must be an array of at most {MaxGrantsAtCreate} grants.");
                    }
                    else
                    {
                        var index = 0;
                        foreach (var item in list.EnumerateArray())
                        {
                            if (Grant(item, $"grants[{index++}]", entitlement, now, v2, fields) is { } grant)
                            {
                                grants.Add(grant);
                            }
                        }
                    }
                }

                break;
        }

        return fields.Errors.Count > 0 ? (null, []) : (entitlement, grants);
    }

    /// <summary>Reads a grant (v1 requires an expiration, v2 does not).</summary>
    public static Grant? Grant(JsonElement body, string path, Entitlement entitlement, DateTimeOffset now, bool v2, JsonFields fields)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            fields.Add(path.Length == 0 ? "body" : path, "must be a grant object such as {\"amount\": 1000, \"effectiveAt\": \"2026-11-01T00:00:00Z\"}.");
            return null;
        }

        var before = fields.Errors.Count;
        var amount = fields.Decimal(body, "amount", path, required: true);
        var priority = fields.Int(body, "priority", path, 1, 255) ?? 1;
        var effectiveAt = fields.Instant(body, "effectiveAt", path, required: true);
        GrantExpiration? expiration = null;
        if (fields.Get(body, "expiration") is { } expires)
        {
            var at = JsonFields.Path(path, "expiration");
            var unit = fields.Text(expires, "duration", at, required: true, maxLength: 10);
            var count = fields.Int(expires, "count", at, 1, 1000);
            if (count is null && !fields.Has(expires, "count"))
            {
                fields.Add(JsonFields.Path(at, "count"), "is required: 1 to 1000.");
            }

            if (unit is not null && !Enum.TryParse<ExpirationUnit>(unit, ignoreCase: true, out _) || unit is not null && unit != unit.ToUpperInvariant())
            {
                fields.Add(JsonFields.Path(at, "duration"), $"is \"{unit}\"; use HOUR, DAY, WEEK, MONTH or YEAR.");
            }
            else if (unit is not null && count is { } n)
            {
                expiration = new GrantExpiration(Enum.Parse<ExpirationUnit>(unit, ignoreCase: true), n);
            }
        }
        else if (!v2)
        {
            fields.Add(JsonFields.Path(path, "expiration"), "is required: {\"duration\": \"MONTH\", \"count\": 1}.");
        }

        var max = fields.Decimal(body, "maxRolloverAmount", path, required: false) ?? 0m;
        var min = fields.Decimal(body, "minRolloverAmount", path, required: false) ?? 0m;
        RecurringPeriod? recurrence = null;
        if (fields.Get(body, "recurrence") is { } recurs && effectiveAt is { } anchorDefault)
        {
            recurrence = Recurrence(recurs, JsonFields.Path(path, "recurrence"), anchorDefault, fields);
        }

        var metadata = fields.Metadata(body, path);
        if (fields.Errors.Count > before)
        {
            return null;
        }

        return new Grant(entitlement.TenantId, Ids.NewUlid(now), entitlement.Id, amount!.Value, priority, effectiveAt!.Value, now)
        {
            Expiration = expiration,
            MaxRolloverAmount = max,
            MinRolloverAmount = min,
            Recurrence = recurrence,
            Metadata = metadata,
        };
    }

    private static RecurringPeriod? UsagePeriod(JsonElement body, DateTimeOffset now, bool required, JsonFields fields)
    {
        if (fields.Get(body, "usagePeriod") is not { } period)
        {
            if (required)
            {
                fields.Add("usagePeriod", "is required on a metered entitlement: {\"interval\": \"MONTH\"} with an optional anchor.");
            }

            return null;
        }

        return Recurrence(period, "usagePeriod", now, fields);
    }

    private static RecurringPeriod? Recurrence(JsonElement period, string path, DateTimeOffset defaultAnchor, JsonFields fields)
    {
        var interval = fields.Text(period, "interval", path, required: true, maxLength: 40);
        IsoDuration? duration = interval switch
        {
            "DAY" => new IsoDuration(0, 1, TimeSpan.Zero),
            "WEEK" => new IsoDuration(0, 7, TimeSpan.Zero),
            "MONTH" => IsoDuration.Month,
            "YEAR" => new IsoDuration(12, 0, TimeSpan.Zero),
            null => null,
            _ => IsoDuration.TryParse(interval, out var parsed) && parsed.Approximate >= TimeSpan.FromHours(1) ? parsed : null,
        };
        if (interval is not null && duration is null)
        {
            fields.Add(JsonFields.Path(path, "interval"), $"is \"{interval}\"; use DAY, WEEK, MONTH, YEAR or an ISO 8601 duration of at least PT1H.");
        }

        var anchor = fields.Instant(period, "anchor", path, required: false) ?? defaultAnchor;
        return duration is { } d ? new RecurringPeriod(d, anchor) : null;
    }

    private static DateTimeOffset MeasureUsageFrom(JsonElement body, RecurringPeriod period, DateTimeOffset now, JsonFields fields)
    {
        if (fields.Get(body, "measureUsageFrom") is not { } value || value.ValueKind == JsonValueKind.String && value.GetString() == "CURRENT_PERIOD_START")
        {
            return period.Containing(now).From;
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() == "NOW")
        {
            return now;
        }

        return fields.Instant(body, "measureUsageFrom", "", required: false) ?? now;
    }

    private static bool IsJson(string text)
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
