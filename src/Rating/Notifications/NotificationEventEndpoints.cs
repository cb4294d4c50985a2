using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Catalog;
using Tally.Billing.Notifications;
using Tally.ServiceDefaults;

namespace Tally.Rating.Notifications;

/// <summary>Notification events with their deliveries, and resending one.</summary>
internal static class NotificationEventEndpoints
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/events", ListAsync);
        group.MapGet("/events/{eventId}", async (string eventId, HttpContext context, INotificationStore store, IFeatureStore features) =>
        {
            var tenantId = context.User.GetTenantId();
            return await store.GetEventAsync(tenantId, eventId, context.RequestAborted) is { } notification
                ? RatingJson.Ok(await ResponseAsync(notification, tenantId, store, features, context.RequestAborted))
                : Problems.NotFound("notification event", eventId);
        });
        group.MapPost("/events/{eventId}/resend", async (string eventId, HttpContext context, INotificationStore store, DeliverySignal signal, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) =>
        {
            var tenantId = context.User.GetTenantId();
            if (await store.GetEventAsync(tenantId, eventId, context.RequestAborted) is null)
            {
                return Problems.NotFound("notification event", eventId);
            }

            using var body = await RequestBody.ReadAsync(context.Request, optional: true);
            if (body.Problem is { } problem)
            {
                return problem;
            }

            var channels = body.IsPresent && body.Root.ValueKind == JsonValueKind.Object && body.Root.TryGetProperty("channels", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!).ToList()
                : [];
            await store.ResendAsync(tenantId, eventId, channels, clock.GetUtcNow(), context.RequestAborted);
            signal.Wake();
            return Results.Accepted();
        });
    }

    private static async Task<IResult> ListAsync(HttpContext context, INotificationStore store, IFeatureStore features)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var tenantId = context.User.GetTenantId();
        var query = context.Request.Query;
        IEnumerable<NotificationEvent> list = await store.ListEventsAsync(tenantId, context.RequestAborted);
        if (query.ContainsKey("rule"))
        {
            list = list.Where(e => query["rule"].Contains(e.RuleId));
        }

        if (query.ContainsKey("feature"))
        {
            list = list.Where(e => query["feature"].Contains(e.FeatureKey));
        }

        if (query.ContainsKey("subject"))
        {
            list = list.Where(e => query["subject"].Contains(e.SubjectKey));
        }

        var page = paging.Cut(list.ToList());
        var items = new List<EventResponse>();
        foreach (var notification in page.Items)
        {
            items.Add(await ResponseAsync(notification, tenantId, store, features, context.RequestAborted));
        }

        return RatingJson.Ok(new Paginated<EventResponse>(page.TotalCount, page.Page, page.PageSize, items));
    }

    private static async Task<EventResponse> ResponseAsync(NotificationEvent notification, string tenantId, INotificationStore store, IFeatureStore features, CancellationToken cancellationToken)
    {
        var rule = await store.GetRuleAsync(tenantId, notification.RuleId, cancellationToken);
        var keys = (await features.ListAsync(tenantId, cancellationToken)).ToDictionary(f => f.Id, f => f.Key, StringComparer.Ordinal);
        return EventResponse.From(notification, rule is null ? null : RuleResponse.From(rule, keys), await store.DeliveriesAsync(tenantId, notification.Id, cancellationToken));
    }
}
