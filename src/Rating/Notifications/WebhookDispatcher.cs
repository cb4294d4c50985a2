using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tally.Billing.Notifications;

namespace Tally.Rating.Notifications;

/// <summary>
/// Delivers notification events to their webhook channels: claims due deliveries from the ledger (so
/// several API processes never send the same attempt), POSTs the event's payload signed with the
/// channel's secret (headers <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature</c>, and
/// the same under <c>svix-*</c>), and records every attempt; a failure is retried after each pause of
/// <see cref="RatingOptions.WebhookRetrySeconds"/>, then the delivery stays FAILED.
/// </summary>
public sealed class WebhookDispatcher(
    INotificationStore store,
    IHttpClientFactory http,
    DeliverySignal signal,
    [FromKeyedServices(RatingClock.Key)] TimeProvider clock,
    IOptions<RatingOptions> options,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "tally-webhooks";
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Sends every delivery due now, once; returns how many it attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await store.ClaimDueAsync(now, now + Lease, 50, cancellationToken);
        foreach (var delivery in due)
        {
            await DeliverAsync(delivery, cancellationToken);
        }

        return due.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.DeliveryPollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DeliverDueAsync(stoppingToken) > 0)
                {
                    continue;
                }

                await signal.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                RatingLog.DispatchFailed(logger, ex);
                await signal.WaitAsync(poll, stoppingToken);
            }
        }
    }

    private async Task DeliverAsync(NotificationDelivery delivery, CancellationToken cancellationToken)
    {
        var notification = await store.GetEventAsync(delivery.TenantId, delivery.EventId, cancellationToken);
        var channel = await store.GetChannelAsync(delivery.TenantId, delivery.ChannelId, cancellationToken);
        var started = clock.GetUtcNow();
        if (notification is null || channel is null || channel.DeletedAt is not null || channel.Disabled)
        {
            var skipped = new DeliveryAttempt(started, DeliveryState.Failed, null, "", 0, channel?.Url ?? "");
            await store.RecordAttemptAsync(delivery.TenantId, delivery.EventId, delivery.ChannelId, skipped, DeliveryState.Failed, "the channel is deleted or disabled", null, cancellationToken);
            return;
        }

        var timestamp = started.ToUnixTimeSeconds();
        var signature = WebhookSignature.Sign(channel.SigningSecret, notification.Id, timestamp, notification.Payload);
        using var request = new HttpRequestMessage(HttpMethod.Post, channel.Url) { Content = new StringContent(notification.Payload, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in channel.CustomHeaders ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        foreach (var prefix in new[] { "webhook", "svix" })
        {
            request.Headers.TryAddWithoutValidation($"{prefix}-id", notification.Id);
            request.Headers.TryAddWithoutValidation($"{prefix}-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation($"{prefix}-signature", signature);
        }

        var watch = Stopwatch.StartNew();
        int? status = null;
        string body;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.WebhookTimeoutSeconds));
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, timeout.Token);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            body = ex.Message;
        }

        var succeeded = status is >= 200 and < 300;
        var failures = delivery.Attempts.Count(a => a.State == DeliveryState.Failed) + (succeeded ? 0 : 1);
        var retries = options.Value.RetrySchedule;
        DateTimeOffset? next = succeeded || failures > retries.Count ? null : clock.GetUtcNow() + TimeSpan.FromSeconds(retries[failures - 1]);
        var attempt = new DeliveryAttempt(started, succeeded ? DeliveryState.Success : DeliveryState.Failed, status, body.Length > 1024 ? body[..1024] : body, watch.ElapsedMilliseconds, channel.Url);
        var state = succeeded ? DeliveryState.Success : next is null ? DeliveryState.Failed : DeliveryState.Pending;
        var reason = succeeded ? "" : status is { } code ? $"the endpoint answered {code}" : $"the endpoint did not answer: {attempt.Body}";
        await store.RecordAttemptAsync(delivery.TenantId, delivery.EventId, delivery.ChannelId, attempt, state, reason, next, cancellationToken);
        RatingLog.Delivered(logger, notification.Id, channel.Id, state.ToString(), status ?? 0);
    }
}
