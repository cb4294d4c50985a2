using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
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
/// OpenMeter's notifications (<c>/api/v1/notification</c>): webhook channels, balance-threshold rules,
/// and the events they fired with each delivery's status and attempts.
/// </summary>
public static partial class NotificationEndpoints
{
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/notification").RequireAuthorization(TallyClaims.TenantPolicy);
        group.MapPost("/channels", (HttpContext context, INotificationStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => SaveChannelAsync(context, store, clock, null));
        group.MapPut("/channels/{channelId}", (string channelId, HttpContext context, INotificationStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) => SaveChannelAsync(context, store, clock, channelId));
        group.MapGet("/channels", async (HttpContext context, INotificationStore store) =>
        {
            var (paging, badPage) = Paging.From(context.Request);
            return badPage is not null
                ? badPage
                : RatingJson.Ok(paging.Cut([.. (await store.ListChannelsAsync(context.User.GetTenantId(), context.RequestAborted))
                    .Where(c => (c.DeletedAt is null || context.Request.Query["includeDeleted"] == "true") && (!c.Disabled || context.Request.Query["includeDisabled"] == "true"))
                    .Select(ChannelResponse.From)]));
        });
        group.MapGet("/channels/{channelId}", async (string channelId, HttpContext context, INotificationStore store) =>
            await store.GetChannelAsync(context.User.GetTenantId(), channelId, context.RequestAborted) is { DeletedAt: null } channel
                ? RatingJson.Ok(ChannelResponse.From(channel))
                : Problems.NotFound("notification channel", channelId));
        group.MapDelete("/channels/{channelId}", async (string channelId, HttpContext context, INotificationStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock) =>
        {
            if (await store.GetChannelAsync(context.User.GetTenantId(), channelId, context.RequestAborted) is not { DeletedAt: null } channel)
            {
                return Problems.NotFound("notification channel", channelId);
            }

            await store.SaveChannelAsync(channel with { DeletedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() }, context.RequestAborted);
            return Results.NoContent();
        });
        NotificationRuleEndpoints.Map(group);
        NotificationEventEndpoints.Map(group);
        return routes;
    }

    private static async Task<IResult> SaveChannelAsync(HttpContext context, INotificationStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock, string? channelId)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        NotificationChannel? existing = null;
        if (channelId is not null && (existing = await store.GetChannelAsync(tenantId, channelId, context.RequestAborted)) is not { DeletedAt: null })
        {
            return Problems.NotFound("notification channel", channelId);
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var root = body.Root;
        var errors = body.Errors;
        var fields = body.Fields;
        var type = fields.Text(root, "type", "", required: true, maxLength: 20);
        if (type is not (null or "WEBHOOK"))
        {
            fields.Add("type", $"is \"{type}\"; the only channel type is WEBHOOK.");
        }

        var name = fields.Text(root, "name", "", required: true);
        var url = fields.Text(root, "url", "", required: true, maxLength: 2048);
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            fields.Add("url", $"is \"{url}\"; send an absolute http(s) URL.");
        }

        var secret = fields.Text(root, "signingSecret", "", required: false, maxLength: 106);
        if (secret is not null && !SecretPattern().IsMatch(secret))
        {
            fields.Add("signingSecret", "must match ^(whsec_)?[a-zA-Z0-9+/=]{32,100}$ (a base64 key, optionally whsec_-prefixed); leave it out to have one generated.");
        }

        IReadOnlyDictionary<string, string>? headers = null;
        if (fields.Get(root, "customHeaders") is { } custom)
        {
            headers = custom.ValueKind == JsonValueKind.Object && custom.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String)
                ? custom.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.OrdinalIgnoreCase)
                : null;
            if (headers is null)
            {
                fields.Add("customHeaders", "must be an object of header names to string values.");
            }
        }

        var disabled = fields.Bool(root, "disabled", "") ?? false;
        var metadata = fields.Metadata(root, "");
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var channel = new NotificationChannel(tenantId, existing?.Id ?? Ids.NewUlid(now), name!, url!, disabled, secret ?? existing?.SigningSecret ?? NewSecret(), existing?.CreatedAt ?? now)
        {
            CustomHeaders = headers,
            Metadata = metadata,
            UpdatedAt = now,
        };
        await store.SaveChannelAsync(channel, context.RequestAborted);
        return existing is null
            ? RatingJson.Created($"/api/v1/notification/channels/{channel.Id}", ChannelResponse.From(channel))
            : RatingJson.Ok(ChannelResponse.From(channel));
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [GeneratedRegex("^(whsec_)?[a-zA-Z0-9+/=]{32,100}$")]
    private static partial Regex SecretPattern();
}
