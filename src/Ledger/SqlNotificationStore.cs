using Dapper;
using Tally.Billing.Notifications;

namespace Tally.Ledger;

/// <summary>
/// Notification channels, rules, events and deliveries. An event is unique per (tenant, dedupe key),
/// which is what makes a balance threshold fire once per usage period however many grains or retries race.
/// </summary>
internal sealed class SqlNotificationStore(LedgerDatabase database) : INotificationStore
{
    private const string ChannelColumns = "tenant_id, id, name, url, disabled, signing_secret, custom_headers, metadata, created_at, updated_at, deleted_at";
    private const string RuleColumns = "tenant_id, id, name, rule_type, disabled, channels, thresholds, features, metadata, created_at, updated_at, deleted_at";
    private const string EventColumns = "tenant_id, id, rule_id, event_type, payload, dedupe_key, feature_key, subject_key, created_at";
    private const string DeliveryColumns = "tenant_id, event_id, channel_id, state, reason, attempts, next_attempt_at, updated_at";

    private LedgerDialect Dialect => database.Dialect;

    public Task SaveChannelAsync(NotificationChannel channel, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"""
                INSERT INTO notification_channels ({ChannelColumns}) VALUES (@TenantId, @Id, @Name, @Url, @Disabled, @SigningSecret, @CustomHeaders, @Metadata, @CreatedAt, @UpdatedAt, @DeletedAt)
                ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, url = excluded.url, disabled = excluded.disabled, signing_secret = excluded.signing_secret,
                    custom_headers = excluded.custom_headers, metadata = excluded.metadata, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at
                """,
                new
                {
                    channel.TenantId,
                    channel.Id,
                    channel.Name,
                    channel.Url,
                    Disabled = LedgerJson.Flag(channel.Disabled),
                    channel.SigningSecret,
                    CustomHeaders = LedgerJson.Write(channel.CustomHeaders),
                    Metadata = LedgerJson.Write(channel.Metadata),
                    CreatedAt = Dialect.Instant(channel.CreatedAt),
                    UpdatedAt = Dialect.Instant(channel.UpdatedAt),
                    DeletedAt = channel.DeletedAt is { } deleted ? Dialect.Instant(deleted) : null,
                },
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<NotificationChannel?> GetChannelAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await ChannelsAsync("WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<NotificationChannel>> ListChannelsAsync(string tenantId, CancellationToken cancellationToken) =>
        ChannelsAsync("WHERE tenant_id = @TenantId", new { TenantId = tenantId }, cancellationToken);

    public Task SaveRuleAsync(NotificationRule rule, CancellationToken cancellationToken) =>
        database.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(LedgerDatabase.Command(
                $"""
                INSERT INTO notification_rules ({RuleColumns}) VALUES (@TenantId, @Id, @Name, @Type, @Disabled, @Channels, @Thresholds, @Features, @Metadata, @CreatedAt, @UpdatedAt, @DeletedAt)
                ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, disabled = excluded.disabled, channels = excluded.channels, thresholds = excluded.thresholds,
                    features = excluded.features, metadata = excluded.metadata, updated_at = excluded.updated_at, deleted_at = excluded.deleted_at
                """,
                new
                {
                    rule.TenantId,
                    rule.Id,
                    rule.Name,
                    rule.Type,
                    Disabled = LedgerJson.Flag(rule.Disabled),
                    Channels = LedgerJson.Write(rule.ChannelIds.ToList()),
                    Thresholds = LedgerJson.Write(rule.Thresholds.Select(t => new ThresholdRow(t.Value, t.Kind.ToString(), t.WireType)).ToList()),
                    Features = LedgerJson.Write(rule.FeatureIds.ToList()),
                    Metadata = LedgerJson.Write(rule.Metadata),
                    CreatedAt = Dialect.Instant(rule.CreatedAt),
                    UpdatedAt = Dialect.Instant(rule.UpdatedAt),
                    DeletedAt = rule.DeletedAt is { } deleted ? Dialect.Instant(deleted) : null,
                },
                transaction,
                cancellationToken)),
            cancellationToken);

    public async Task<NotificationRule?> GetRuleAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await RulesAsync("WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<NotificationRule>> ListRulesAsync(string tenantId, CancellationToken cancellationToken) =>
        RulesAsync("WHERE tenant_id = @TenantId", new { TenantId = tenantId }, cancellationToken);

    public Task<bool> CreateEventAsync(NotificationEvent notification, IReadOnlyList<string> channelIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var inserted = await connection.ExecuteAsync(LedgerDatabase.Command(
                    $"INSERT INTO notification_events ({EventColumns}) VALUES (@TenantId, @Id, @RuleId, @Type, @Payload, @DedupeKey, @FeatureKey, @SubjectKey, @CreatedAt) ON CONFLICT DO NOTHING",
                    new
                    {
                        notification.TenantId,
                        notification.Id,
                        notification.RuleId,
                        notification.Type,
                        notification.Payload,
                        notification.DedupeKey,
                        notification.FeatureKey,
                        notification.SubjectKey,
                        CreatedAt = Dialect.Instant(notification.CreatedAt),
                    },
                    transaction,
                    cancellationToken));
                if (inserted == 0)
                {
                    return (false, true);
                }

                await connection.ExecuteAsync(LedgerDatabase.Command(
                    $"INSERT INTO notification_deliveries ({DeliveryColumns}) VALUES (@TenantId, @EventId, @ChannelId, @State, '', '[]', @At, @At)",
                    channelIds.Select(channel => new { notification.TenantId, EventId = notification.Id, ChannelId = channel, State = DeliveryState.Pending.ToString(), At = Dialect.Instant(at) }),
                    transaction,
                    cancellationToken));
                return (true, true);
            },
            cancellationToken);

    public async Task<NotificationEvent?> GetEventAsync(string tenantId, string id, CancellationToken cancellationToken) =>
        (await EventsAsync("WHERE tenant_id = @TenantId AND id = @Id", new { TenantId = tenantId, Id = id }, cancellationToken)).FirstOrDefault();

    public Task<IReadOnlyList<NotificationEvent>> ListEventsAsync(string tenantId, CancellationToken cancellationToken) =>
        EventsAsync("WHERE tenant_id = @TenantId", new { TenantId = tenantId }, cancellationToken);

    public Task<IReadOnlyList<NotificationDelivery>> DeliveriesAsync(string tenantId, string eventId, CancellationToken cancellationToken) =>
        database.ReadAsync(
            async connection => ToDeliveries(await connection.QueryAsync<DeliveryRow>(LedgerDatabase.Command(
                $"SELECT {DeliveryColumns} FROM notification_deliveries WHERE tenant_id = @TenantId AND event_id = @EventId ORDER BY channel_id",
                new { TenantId = tenantId, EventId = eventId },
                null,
                cancellationToken))),
            cancellationToken);

    public Task<IReadOnlyList<NotificationDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync<IReadOnlyList<NotificationDelivery>>(
            async (connection, transaction) =>
            {
                var due = ToDeliveries(await connection.QueryAsync<DeliveryRow>(LedgerDatabase.Command(
                    $"SELECT {DeliveryColumns} FROM notification_deliveries WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= @Now ORDER BY next_attempt_at LIMIT @Limit{Dialect.ForUpdate}",
                    new { Now = Dialect.Instant(now), Limit = (long)limit },
                    transaction,
                    cancellationToken)));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE notification_deliveries SET state = @State, next_attempt_at = @Lease WHERE tenant_id = @TenantId AND event_id = @EventId AND channel_id = @ChannelId",
                    due.Select(d => new { State = DeliveryState.Sending.ToString(), Lease = Dialect.Instant(leaseUntil), d.TenantId, d.EventId, d.ChannelId }),
                    transaction,
                    cancellationToken));
                return (due.Select(d => d with { State = DeliveryState.Sending, NextAttemptAt = leaseUntil }).ToList(), true);
            },
            cancellationToken);

    public Task RecordAttemptAsync(string tenantId, string eventId, string channelId, DeliveryAttempt attempt, DeliveryState state, string reason, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var parameters = new { TenantId = tenantId, EventId = eventId, ChannelId = channelId };
                var attempts = await connection.ExecuteScalarAsync<string>(LedgerDatabase.Command(
                    $"SELECT attempts FROM notification_deliveries WHERE tenant_id = @TenantId AND event_id = @EventId AND channel_id = @ChannelId{Dialect.ForUpdate}",
                    parameters,
                    transaction,
                    cancellationToken));
                var list = LedgerJson.Read<List<AttemptRow>>(attempts) ?? [];
                list.Add(new AttemptRow(attempt.Timestamp, attempt.State.ToString(), attempt.StatusCode, attempt.Body, attempt.DurationMs, attempt.Url));
                await connection.ExecuteAsync(LedgerDatabase.Command(
                    "UPDATE notification_deliveries SET state = @State, reason = @Reason, attempts = @Attempts, next_attempt_at = @Next, updated_at = @At WHERE tenant_id = @TenantId AND event_id = @EventId AND channel_id = @ChannelId",
                    new
                    {
                        State = state.ToString(),
                        Reason = reason,
                        Attempts = LedgerJson.Write(list),
                        Next = nextAttemptAt is { } next ? Dialect.Instant(next) : null,
                        At = Dialect.Instant(attempt.Timestamp),
                        TenantId = tenantId,
                        EventId = eventId,
                        ChannelId = channelId,
                    },
                    transaction,
                    cancellationToken));
            },
            cancellationToken);

    public Task<bool> ResendAsync(string tenantId, string eventId, IReadOnlyList<string> channelIds, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync(
            async (connection, transaction) =>
            {
                var changed = await connection.ExecuteAsync(LedgerDatabase.Command(
                    $"UPDATE notification_deliveries SET state = @State, next_attempt_at = @At, updated_at = @At WHERE tenant_id = @TenantId AND event_id = @EventId{(channelIds.Count > 0 ? " AND " + Dialect.InList("channel_id", "Channels") : "")}",
                    new { State = DeliveryState.Resending.ToString(), At = Dialect.Instant(at), TenantId = tenantId, EventId = eventId, Channels = Dialect.List(channelIds) },
                    transaction,
                    cancellationToken));
                return (changed > 0, true);
            },
            cancellationToken);

    private async Task<IReadOnlyList<NotificationChannel>> ChannelsAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<ChannelRow>(LedgerDatabase.Command($"SELECT {ChannelColumns} FROM notification_channels {where} ORDER BY created_at, id", parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(row => new NotificationChannel(row.TenantId, row.Id, row.Name, row.Url, row.Disabled != 0, row.SigningSecret, Dialect.ReadInstant(row.CreatedAt))
        {
            CustomHeaders = LedgerJson.Metadata(row.CustomHeaders),
            Metadata = LedgerJson.Metadata(row.Metadata),
            UpdatedAt = Dialect.ReadInstant(row.UpdatedAt),
            DeletedAt = row.DeletedAt is null ? null : Dialect.ReadInstant(row.DeletedAt),
        })];
    }

    private async Task<IReadOnlyList<NotificationRule>> RulesAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<RuleRow>(LedgerDatabase.Command($"SELECT {RuleColumns} FROM notification_rules {where} ORDER BY created_at, id", parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(row => new NotificationRule(
            row.TenantId,
            row.Id,
            row.Name,
            row.RuleType,
            row.Disabled != 0,
            LedgerJson.Read<List<string>>(row.Channels) ?? [],
            [.. (LedgerJson.Read<List<ThresholdRow>>(row.Thresholds) ?? []).Select(t => new BalanceThreshold(t.Value, Enum.Parse<ThresholdKind>(t.Kind), t.WireType))],
            LedgerJson.Read<List<string>>(row.Features) ?? [],
            Dialect.ReadInstant(row.CreatedAt))
        {
            Metadata = LedgerJson.Metadata(row.Metadata),
            UpdatedAt = Dialect.ReadInstant(row.UpdatedAt),
            DeletedAt = row.DeletedAt is null ? null : Dialect.ReadInstant(row.DeletedAt),
        })];
    }

    private async Task<IReadOnlyList<NotificationEvent>> EventsAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var rows = await database.ReadAsync(
            connection => connection.QueryAsync<EventRow>(LedgerDatabase.Command($"SELECT {EventColumns} FROM notification_events {where} ORDER BY created_at DESC, id DESC", parameters, null, cancellationToken)),
            cancellationToken);
        return [.. rows.Select(row => new NotificationEvent(row.TenantId, row.Id, row.RuleId, row.EventType, row.Payload, row.DedupeKey, Dialect.ReadInstant(row.CreatedAt))
        {
            FeatureKey = row.FeatureKey,
            SubjectKey = row.SubjectKey,
        })];
    }

    private IReadOnlyList<NotificationDelivery> ToDeliveries(IEnumerable<DeliveryRow> rows) =>
        [.. rows.Select(row => new NotificationDelivery(
            row.TenantId,
            row.EventId,
            row.ChannelId,
            Enum.Parse<DeliveryState>(row.State),
            row.Reason,
            [.. (LedgerJson.Read<List<AttemptRow>>(row.Attempts) ?? []).Select(a => new DeliveryAttempt(a.Timestamp, Enum.Parse<DeliveryState>(a.State), a.StatusCode, a.Body, a.DurationMs, a.Url))],
            row.NextAttemptAt is null ? null : Dialect.ReadInstant(row.NextAttemptAt),
            Dialect.ReadInstant(row.UpdatedAt)))];

    private sealed record ThresholdRow(decimal Value, string Kind, string WireType);

    private sealed record AttemptRow(DateTimeOffset Timestamp, string State, int? StatusCode, string Body, long DurationMs, string Url);

    private sealed class ChannelRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string Url { get; set; } = "";

        public long Disabled { get; set; }

        public string SigningSecret { get; set; } = "";

        public string? CustomHeaders { get; set; }

        public string? Metadata { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;

        public object? DeletedAt { get; set; }
    }

    private sealed class RuleRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string Name { get; set; } = "";

        public string RuleType { get; set; } = "";

        public long Disabled { get; set; }

        public string Channels { get; set; } = "";

        public string Thresholds { get; set; } = "";

        public string Features { get; set; } = "";

        public string? Metadata { get; set; }

        public object CreatedAt { get; set; } = null!;

        public object UpdatedAt { get; set; } = null!;

        public object? DeletedAt { get; set; }
    }

    private sealed class EventRow
    {
        public string TenantId { get; set; } = "";

        public string Id { get; set; } = "";

        public string RuleId { get; set; } = "";

        public string EventType { get; set; } = "";

        public string Payload { get; set; } = "";

        public string DedupeKey { get; set; } = "";

        public string? FeatureKey { get; set; }

        public string? SubjectKey { get; set; }

        public object CreatedAt { get; set; } = null!;
    }

    private sealed class DeliveryRow
    {
        public string TenantId { get; set; } = "";

        public string EventId { get; set; } = "";

        public string ChannelId { get; set; } = "";

        public string State { get; set; } = "";

        public string Reason { get; set; } = "";

        public string Attempts { get; set; } = "";

        public object? NextAttemptAt { get; set; }

        public object UpdatedAt { get; set; } = null!;
    }
}
