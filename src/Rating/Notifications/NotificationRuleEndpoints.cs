using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Notifications;
using Tally.ServiceDefaults;

namespace Tally.Rating.Notifications;

/// <summary>
/// Notification rules: <c>entitlements.balance.threshold</c> with 1 to 10 thresholds, on some features or all;
/// <c>invoice.created</c>, <c>invoice.updated</c> and <c>close.customer_parked</c>, which notify of every such
/// billing event of the tenant.
/// </summary>
internal static class NotificationRuleEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/rules", (HttpContext context, Deps deps) => SaveAsync(context, deps, null));
        group.MapPut("/rules/{ruleId}", (string ruleId, HttpContext context, Deps deps) => SaveAsync(context, deps, ruleId));
        group.MapGet("/rules", async (HttpContext context, Deps deps) =>
        {
            var (paging, badPage) = Paging.From(context.Request);
            if (badPage is not null)
            {
                return badPage;
            }

            var tenantId = context.User.GetTenantId();
            var keys = await deps.FeatureKeysAsync(tenantId, context.RequestAborted);
            var query = context.Request.Query;
            return RatingJson.Ok(paging.Cut([.. (await deps.Store.ListRulesAsync(tenantId, context.RequestAborted))
                .Where(r => (r.DeletedAt is null || query["includeDeleted"] == "true") && (!r.Disabled || query["includeDisabled"] == "true"))
                .Where(r => !query.ContainsKey("channel") || r.ChannelIds.Any(c => query["channel"].Contains(c)))
                .Where(r => !query.ContainsKey("feature") || r.FeatureIds.Any(f => query["feature"].Contains(f) || query["feature"].Contains(keys.GetValueOrDefault(f))))
                .Select(r => RuleResponse.From(r, keys))]));
        });
        group.MapGet("/rules/{ruleId}", async (string ruleId, HttpContext context, Deps deps) =>
        {
            var tenantId = context.User.GetTenantId();
            return await deps.Store.GetRuleAsync(tenantId, ruleId, context.RequestAborted) is { DeletedAt: null } rule
                ? RatingJson.Ok(RuleResponse.From(rule, await deps.FeatureKeysAsync(tenantId, context.RequestAborted)))
                : Problems.NotFound("notification rule", ruleId);
        });
        group.MapDelete("/rules/{ruleId}", async (string ruleId, HttpContext context, Deps deps) =>
        {
            var tenantId = context.User.GetTenantId();
            if (await deps.Store.GetRuleAsync(tenantId, ruleId, context.RequestAborted) is not { DeletedAt: null } rule)
            {
                return Problems.NotFound("notification rule", ruleId);
            }

            var now = deps.Clock.GetUtcNow();
            await deps.Store.SaveRuleAsync(rule with { DeletedAt = now, UpdatedAt = now }, context.RequestAborted);
            deps.Rules.Forget(tenantId);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> SaveAsync(HttpContext context, Deps deps, string? ruleId)
    {
        var tenantId = context.User.GetTenantId();
        var now = deps.Clock.GetUtcNow();
        NotificationRule? existing = null;
        if (ruleId is not null && (existing = await deps.Store.GetRuleAsync(tenantId, ruleId, context.RequestAborted)) is not { DeletedAt: null })
        {
            return Problems.NotFound("notification rule", ruleId);
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var root = body.Root;
        var errors = body.Errors;
        var fields = body.Fields;
        var type = fields.Text(root, "type", "", required: true, maxLength: 60);
        var billing = type is not null && NotificationRule.BillingTypes.Contains(type);
        if (type is not (null or NotificationRule.BalanceThresholdType) && !billing)
        {
            fields.Add("type", $"is \"{type}\"; Tally notifies {NotificationRule.BalanceThresholdType}, {string.Join(", ", NotificationRule.BillingTypes)} (entitlements.reset is not sent yet).");
        }

        if (existing is not null && type is not null && type != existing.Type)
        {
            fields.Add("type", $"is \"{type}\"; rule {existing.Id} is {existing.Type}, and a rule keeps its type (create another).");
        }

        var name = fields.Text(root, "name", "", required: true);
        var channels = new List<string>();
        if (fields.Get(root, "channels") is not { ValueKind: JsonValueKind.Array } channelList || channelList.GetArrayLength() == 0)
        {
            fields.Add("channels", "must list at least one channel id.");
        }
        else
        {
            var index = 0;
            foreach (var channel in channelList.EnumerateArray())
            {
                var id = channel.ValueKind == JsonValueKind.String ? channel.GetString()! : "";
                if (await deps.Store.GetChannelAsync(tenantId, id, context.RequestAborted) is not { DeletedAt: null })
                {
                    fields.Add($"channels[{index}]", $"\"{id}\" is not one of your notification channels.");
                }

                channels.Add(id);
                index++;
            }
        }

        var thresholds = new List<BalanceThreshold>();
        if (billing)
        {
            foreach (var field in new[] { "thresholds", "features" }.Where(f => fields.Has(root, f)))
            {
                fields.Add(field, $"is only for {NotificationRule.BalanceThresholdType} rules; a {type} rule notifies of every such event of the tenant.");
            }
        }
        else if (fields.Get(root, "thresholds") is not { ValueKind: JsonValueKind.Array } list || list.GetArrayLength() is 0 or > 10)
        {
            fields.Add("thresholds", "must list 1 to 10 thresholds such as {\"value\": 80, \"type\": \"usage_percentage\"}.");
        }
        else
        {
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var at = $"thresholds[{index++}]";
                var value = fields.Decimal(item, "value", at, required: true);
                var wire = fields.Text(item, "type", at, required: true, maxLength: 30);
                ThresholdKind? kind = wire switch
                {
                    "usage_value" or "NUMBER" => ThresholdKind.UsageValue,
                    "usage_percentage" or "PERCENT" => ThresholdKind.UsagePercentage,
                    "balance_value" => ThresholdKind.BalanceValue,
                    _ => null,
                };
                if (wire is not null && kind is null)
                {
                    fields.Add($"{at}.type", $"is \"{wire}\"; use usage_value, usage_percentage or balance_value.");
                }

                if (value is { } v && kind is { } k)
                {
                    thresholds.Add(new BalanceThreshold(v, k, wire!));
                }
            }
        }

        var featureIds = new List<string>();
        if (!billing && fields.Get(root, "features") is { } features)
        {
            var index = 0;
            foreach (var feature in features.ValueKind == JsonValueKind.Array ? features.EnumerateArray() : Enumerable.Empty<JsonElement>())
            {
                var reference = feature.ValueKind == JsonValueKind.String ? feature.GetString()! : "";
                if (await deps.Features.GetAsync(tenantId, reference, context.RequestAborted) is { } found)
                {
                    featureIds.Add(found.Id);
                }
                else
                {
                    fields.Add($"features[{index}]", $"\"{reference}\" is not one of your features (id or key).");
                }

                index++;
            }
        }

        var disabled = fields.Bool(root, "disabled", "") ?? false;
        var metadata = fields.Metadata(root, "");
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var rule = new NotificationRule(tenantId, existing?.Id ?? Ids.NewUlid(now), name!, type!, disabled, channels, thresholds, featureIds, existing?.CreatedAt ?? now)
        {
            Metadata = metadata,
            UpdatedAt = now,
        };
        await deps.Store.SaveRuleAsync(rule, context.RequestAborted);
        deps.Rules.Forget(tenantId);
        var response = RuleResponse.From(rule, await deps.FeatureKeysAsync(tenantId, context.RequestAborted));
        return existing is null ? RatingJson.Created($"/api/v1/notification/rules/{rule.Id}", response) : RatingJson.Ok(response);
    }

    /// <summary>The services the rule routes use.</summary>
    internal sealed class Deps(INotificationStore store, IFeatureStore features, NotificationRulesCache rules, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        public INotificationStore Store { get; } = store;

        public IFeatureStore Features { get; } = features;

        public NotificationRulesCache Rules { get; } = rules;

        public TimeProvider Clock { get; } = clock;

        public async Task<IReadOnlyDictionary<string, string>> FeatureKeysAsync(string tenantId, CancellationToken cancellationToken) =>
            (await Features.ListAsync(tenantId, cancellationToken)).ToDictionary(f => f.Id, f => f.Key, StringComparer.Ordinal);
    }
}
