using System.Text.Json;
using Tally.Billing.Notifications;

namespace Tally.Rating.Notifications;

/// <summary>OpenMeter's <c>NotificationChannel</c> (type WEBHOOK).</summary>
public sealed record ChannelResponse(
    string Id,
    string Type,
    string Name,
    bool Disabled,
    IReadOnlyDictionary<string, string>? Metadata,
    string Url,
    IReadOnlyDictionary<string, string>? CustomHeaders,
    string SigningSecret,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeletedAt)
{
    public static ChannelResponse From(NotificationChannel channel) => new(
        channel.Id, "WEBHOOK", channel.Name, channel.Disabled, channel.Metadata, channel.Url, channel.CustomHeaders, channel.SigningSecret,
        channel.CreatedAt.UtcDateTime, channel.UpdatedAt.UtcDateTime, RatingJson.Utc(channel.DeletedAt));
}

/// <summary>OpenMeter's <c>NotificationRule</c>: <c>entitlements.balance.threshold</c> with its thresholds, or a billing event type (no thresholds, no features).</summary>
public sealed record RuleResponse(
    string Id,
    string Type,
    string Name,
    bool Disabled,
    IReadOnlyDictionary<string, string>? Metadata,
    IReadOnlyList<ChannelMeta> Channels,
    IReadOnlyList<ThresholdResponse>? Thresholds,
    IReadOnlyList<FeatureMeta>? Features,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? DeletedAt)
{
    public static RuleResponse From(NotificationRule rule, IReadOnlyDictionary<string, string> featureKeys) => new(
        rule.Id,
        rule.Type,
        rule.Name,
        rule.Disabled,
        rule.Metadata,
        [.. rule.ChannelIds.Select(id => new ChannelMeta(id, "WEBHOOK"))],
        rule.Type == NotificationRule.BalanceThresholdType ? [.. rule.Thresholds.Select(t => new ThresholdResponse(t.Value, t.WireType))] : null,
        rule.FeatureIds.Count == 0 ? null : [.. rule.FeatureIds.Select(id => new FeatureMeta(id, featureKeys.GetValueOrDefault(id, id)))],
        rule.CreatedAt.UtcDateTime,
        rule.UpdatedAt.UtcDateTime,
        RatingJson.Utc(rule.DeletedAt));
}

public sealed record ChannelMeta(string Id, string Type);

public sealed record FeatureMeta(string Id, string Key);

public sealed record ThresholdResponse(decimal Value, string Type);

/// <summary>OpenMeter's <c>NotificationEvent</c> with each channel's delivery status and attempts.</summary>
public sealed record EventResponse(string Id, string Type, DateTime CreatedAt, RuleResponse? Rule, IReadOnlyList<DeliveryStatusResponse> DeliveryStatus, JsonElement Payload)
{
    public static EventResponse From(NotificationEvent notification, RuleResponse? rule, IReadOnlyList<NotificationDelivery> deliveries)
    {
        using var payload = JsonDocument.Parse(notification.Payload);
        return new EventResponse(
            notification.Id,
            notification.Type,
            notification.CreatedAt.UtcDateTime,
            rule,
            [.. deliveries.Select(DeliveryStatusResponse.From)],
            payload.RootElement.Clone());
    }
}

public sealed record DeliveryStatusResponse(string State, string Reason, DateTime UpdatedAt, ChannelMeta Channel, DateTime? NextAttempt, IReadOnlyList<AttemptResponse> Attempts)
{
    public static DeliveryStatusResponse From(NotificationDelivery delivery) => new(
        delivery.State.ToString().ToUpperInvariant(),
        delivery.Reason,
        delivery.UpdatedAt.UtcDateTime,
        new ChannelMeta(delivery.ChannelId, "WEBHOOK"),
        RatingJson.Utc(delivery.NextAttemptAt),
        [.. delivery.Attempts.Select(a => new AttemptResponse(a.State.ToString().ToUpperInvariant(), new AttemptAnswer(a.StatusCode, a.Body, a.DurationMs, a.Url), a.Timestamp.UtcDateTime))]);
}

public sealed record AttemptResponse(string State, AttemptAnswer Response, DateTime Timestamp);

public sealed record AttemptAnswer(int? StatusCode, string Body, long DurationMs, string Url);
