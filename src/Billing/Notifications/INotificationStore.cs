namespace Tally.Billing.Notifications;

/// <summary>Channels, rules, events and their deliveries.</summary>
public interface INotificationStore
{
    Task SaveChannelAsync(NotificationChannel channel, CancellationToken cancellationToken);

    Task<NotificationChannel?> GetChannelAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<NotificationChannel>> ListChannelsAsync(string tenantId, CancellationToken cancellationToken);

    Task SaveRuleAsync(NotificationRule rule, CancellationToken cancellationToken);

    Task<NotificationRule?> GetRuleAsync(string tenantId, string id, CancellationToken cancellationToken);

    Task<IReadOnlyList<NotificationRule>> ListRulesAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores an event and a pending delivery to each channel, unless an event with the same dedupe key
    /// exists (then nothing is written and false is returned): what makes a threshold fire once per period.
    /// </summary>
    Task<bool> CreateEventAsync(NotificationEvent notification, IReadOnlyList<string> channelIds, DateTimeOffset at, CancellationToken cancellationToken);

    Task<NotificationEvent?> GetEventAsync(string tenantId, string id, CancellationToken cancellationToken);

    /// <summary>The tenant's events, newest first.</summary>
    Task<IReadOnlyList<NotificationEvent>> ListEventsAsync(string tenantId, CancellationToken cancellationToken);

    Task<IReadOnlyList<NotificationDelivery>> DeliveriesAsync(string tenantId, string eventId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> deliveries (any tenant) due at <paramref name="now"/>: each is
    /// marked sending and not due again before <paramref name="leaseUntil"/>, so two dispatchers never
    /// send the same attempt.
    /// </summary>
    Task<IReadOnlyList<NotificationDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    /// <summary>Records an attempt and the delivery's new state (<paramref name="nextAttemptAt"/> null: no more attempts).</summary>
    Task RecordAttemptAsync(string tenantId, string eventId, string channelId, DeliveryAttempt attempt, DeliveryState state, string reason, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Makes deliveries of an event due again (to the listed channels, or all when empty).</summary>
    Task<bool> ResendAsync(string tenantId, string eventId, IReadOnlyList<string> channelIds, DateTimeOffset at, CancellationToken cancellationToken);
}
