using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Calendar;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;
using Tally.Rating.Live;
using Tally.ServiceDefaults;

namespace Tally.Rating.Subscriptions;

/// <summary>
/// OpenMeter's subscriptions (<c>/api/v1/subscriptions</c>): create from a plan key (and version),
/// get (expanded), cancel, change plan, unschedule a cancellation, delete a scheduled one. A
/// customer's subscriptions never overlap; a change never starts in the past.
/// </summary>
public static class SubscriptionEndpoints
{
    public static IEndpointRouteBuilder MapSubscriptions(this IEndpointRouteBuilder routes)
    {
        var subscriptions = routes.MapGroup("/api/v1/subscriptions").RequireAuthorization(TallyClaims.TenantPolicy);
        subscriptions.MapPost("", CreateAsync);
        subscriptions.MapGet("/{subscriptionId}", GetAsync);
        subscriptions.MapDelete("/{subscriptionId}", DeleteAsync);
        subscriptions.MapPost("/{subscriptionId}/cancel", CancelAsync);
        subscriptions.MapPost("/{subscriptionId}/change", ChangeAsync);
        subscriptions.MapPost("/{subscriptionId}/unschedule-cancelation", UnscheduleAsync);
        return routes;
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, ICustomerStore customers, IPlanStore plans, IFeatureStore features, ISubscriptionStore store, IGrainFactory grains, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var root = body.Root;
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        var errors = body.Errors;
        var fields = body.Fields;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Problems.Validation("body", "must be a JSON object such as {\"customerKey\": \"acme\", \"plan\": {\"key\": \"pro\"}}.");
        }

        if (fields.Has(root, "customPlan"))
        {
            return Problems.Validation("customPlan", "is not supported; create the plan with POST /api/v1/plans, publish it, and subscribe with plan.key.");
        }

        var customerField = fields.Has(root, "customerId") ? "customerId" : "customerKey";
        var customerRef = fields.Text(root, customerField, "", required: true, maxLength: Limits.Identifier);
        var customer = customerRef is null ? null : await customers.GetAsync(tenantId, customerRef, context.RequestAborted);
        if (customerRef is not null && customer is null)
        {
            fields.Add(customerField, $"\"{customerRef}\" is not one of your customers (id or key).");
        }

        var plan = await SubscriptionTerms.PlanAsync(plans, tenantId, root, "plan", now, fields, context.RequestAborted);
        var zone = Zone(customer);
        var anchor = SubscriptionTerms.BillingAnchor(root, fields);
        var start = SubscriptionTerms.Timing(root, "timing", now, required: false, fields, BillingCycle.Of(anchor, zone));
        if (fields.Text(root, "startingPhase", "", required: false, maxLength: CatalogKey.MaxLength) is { } phase && plan is not null && plan.Phases[0].Key != phase)
        {
            fields.Add("startingPhase", $"is \"{phase}\"; Tally starts subscriptions at the plan's first phase (\"{plan.Phases[0].Key}\").");
        }

        if (customer?.Currency is { } currency && plan is not null && plan.Currency != currency)
        {
            fields.Add("plan", $"plan {plan.Key} is priced in {plan.Currency}; customer {customer.Key} pays in {currency} (one currency per customer).");
        }

        var name = fields.Text(root, "name", "", required: false);
        var description = fields.Description(root, "");
        var metadata = fields.Metadata(root, "");
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var subscription = new Subscription(tenantId, Ids.NewUlid(now), customer!.Id, plan!.Id, plan.Key, plan.Version, name ?? plan.Name, plan.Currency, start!.Value, null, now)
        {
            Description = description,
            Metadata = metadata,
            BillingAnchor = anchor,
        };
        if (await StartAsync(subscription, plan, null, zone, features, store, grains, context.RequestAborted) is { } conflict)
        {
            return conflict;
        }

        return RatingJson.Created($"/api/v1/subscriptions/{subscription.Id}", SubscriptionResponse.From(subscription, zone, now, plan.ProRating));
    }

    private static async Task<IResult> GetAsync(string subscriptionId, HttpContext context, ISubscriptionStore store, IPlanStore plans, ICustomerStore customers, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await store.GetAsync(tenantId, subscriptionId, context.RequestAborted) is not { DeletedAt: null } subscription
            || await plans.GetAsync(tenantId, subscription.PlanId, context.RequestAborted) is not { } plan)
        {
            return Problems.NotFound("subscription", subscriptionId);
        }

        var zone = await ZoneAsync(customers, subscription, context.RequestAborted);
        return RatingJson.Ok(SubscriptionExpandedResponse.From(new SubscribedPlan(subscription, plan), zone, clock.GetUtcNow()));
    }

    private static async Task<IResult> DeleteAsync(string subscriptionId, HttpContext context, ISubscriptionStore store, IGrainFactory grains, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await store.GetAsync(tenantId, subscriptionId, context.RequestAborted) is not { DeletedAt: null } subscription)
        {
            return Problems.NotFound("subscription", subscriptionId);
        }

        if (subscription.StatusAt(now) != SubscriptionStatus.Scheduled)
        {
            return RatingJson.Conflict("subscriptionId", $"subscription {subscription.Id} has started; only a scheduled subscription can be deleted (cancel this one).");
        }

        await store.DeleteAsync(tenantId, subscription.Id, now, context.RequestAborted);
        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, subscription.CustomerId)).RefreshAsync();
        return Results.NoContent();
    }

    private static async Task<IResult> CancelAsync(string subscriptionId, HttpContext context, ISubscriptionStore store, IPlanStore plans, ICustomerStore customers, IGrainFactory grains, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await store.GetAsync(tenantId, subscriptionId, context.RequestAborted) is not { DeletedAt: null } subscription)
        {
            return Problems.NotFound("subscription", subscriptionId);
        }

        using var body = await RequestBody.ReadAsync(context.Request, optional: true);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var errors = body.Errors;
        var zone = await ZoneAsync(customers, subscription, context.RequestAborted);
        var end = !body.IsPresent ? now : SubscriptionTerms.Timing(body.Root, "timing", now, required: false, body.Fields, BillingPeriods.Cycle(subscription, zone));
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var status = subscription.StatusAt(now);
        if (status is SubscriptionStatus.Inactive or SubscriptionStatus.Scheduled)
        {
            return RatingJson.Conflict("subscriptionId", status == SubscriptionStatus.Scheduled
                ? $"subscription {subscription.Id} has not started; delete it instead."
                : $"subscription {subscription.Id} has already ended.");
        }

        if (end < now)
        {
            return Problems.Validation("timing", $"is {end!.Value.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}; a subscription cannot be cancelled in the past (now is {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}).");
        }

        await store.SetEndAsync(tenantId, subscription.Id, end, now, context.RequestAborted);
        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, subscription.CustomerId)).RefreshAsync();
        var plan = await plans.GetAsync(tenantId, subscription.PlanId, context.RequestAborted);
        return RatingJson.Ok(SubscriptionResponse.From(subscription with { ActiveTo = end, UpdatedAt = now }, zone, now, plan?.ProRating ?? true));
    }

    private static async Task<IResult> UnscheduleAsync(string subscriptionId, HttpContext context, ISubscriptionStore store, ICustomerStore customers, IGrainFactory grains, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await store.GetAsync(tenantId, subscriptionId, context.RequestAborted) is not { DeletedAt: null } subscription)
        {
            return Problems.NotFound("subscription", subscriptionId);
        }

        if (subscription.StatusAt(now) != SubscriptionStatus.Canceled)
        {
            return RatingJson.Conflict("subscriptionId", $"subscription {subscription.Id} has no cancellation scheduled.");
        }

        var others = await store.ListForCustomerAsync(tenantId, subscription.CustomerId, context.RequestAborted);
        if (others.FirstOrDefault(o => o.Id != subscription.Id && o.ActiveFrom >= subscription.ActiveTo) is { } next)
        {
            return RatingJson.Conflict("subscriptionId", $"subscription {next.Id} starts when this one ends; delete it before unscheduling the cancellation.");
        }

        await store.SetEndAsync(tenantId, subscription.Id, null, now, context.RequestAborted);
        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, subscription.CustomerId)).RefreshAsync();
        return RatingJson.Ok(SubscriptionResponse.From(subscription with { ActiveTo = null, UpdatedAt = now }, await ZoneAsync(customers, subscription, context.RequestAborted), now));
    }

    private static async Task<IResult> ChangeAsync(
        string subscriptionId, HttpContext context, ISubscriptionStore store, IPlanStore plans, ICustomerStore customers, IFeatureStore features, IGrainFactory grains, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        if (await store.GetAsync(tenantId, subscriptionId, context.RequestAborted) is not { DeletedAt: null } current)
        {
            return Problems.NotFound("subscription", subscriptionId);
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var root = body.Root;
        var errors = body.Errors;
        var fields = body.Fields;
        if (fields.Has(root, "customPlan"))
        {
            return Problems.Validation("customPlan", "is not supported; change to a published plan with plan.key.");
        }

        // The next subscription keeps the current one's cycle unless the change names another anchor; next_billing_cycle is the current one's.
        var zone = await ZoneAsync(customers, current, context.RequestAborted);
        var anchor = SubscriptionTerms.BillingAnchor(root, fields) ?? current.BillingAnchor;
        var at = SubscriptionTerms.Timing(root, "timing", now, required: true, fields, BillingPeriods.Cycle(current, zone));
        var plan = await SubscriptionTerms.PlanAsync(plans, tenantId, root, "plan", now, fields, context.RequestAborted);
        if (at is { } t && t < now)
        {
            fields.Add("timing", $"is {t.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}; a plan change takes effect now or later, never in the past (now is {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}): past periods stay billed as they were.");
        }
        else if (at is { } s && (s < current.ActiveFrom || (current.ActiveTo is { } end && s >= end)))
        {
            fields.Add("timing", $"is {s.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}, outside subscription {current.Id} (in force from {current.ActiveFrom.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}{(current.ActiveTo is { } e ? $" to {e.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'}" : "")}).");
        }

        if (plan is not null && plan.Currency != current.Currency)
        {
            fields.Add("plan", $"plan {plan.Key} is priced in {plan.Currency}; the customer pays in {current.Currency} (one currency per customer).");
        }

        var name = fields.Text(root, "name", "", required: false);
        var description = fields.Description(root, "");
        var metadata = fields.Metadata(root, "");
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var next = new Subscription(tenantId, Ids.NewUlid(now), current.CustomerId, plan!.Id, plan.Key, plan.Version, name ?? plan.Name, plan.Currency, at!.Value, null, now)
        {
            Description = description,
            Metadata = metadata,
            BillingAnchor = anchor,
        };
        if (await StartAsync(next, plan, current, zone, features, store, grains, context.RequestAborted) is { } conflict)
        {
            return conflict;
        }

        var currentPlan = await plans.GetAsync(tenantId, current.PlanId, context.RequestAborted);
        return RatingJson.Ok(new SubscriptionChangeResponse(
            SubscriptionResponse.From(current with { ActiveTo = at, UpdatedAt = now }, zone, now, currentPlan?.ProRating ?? true),
            SubscriptionExpandedResponse.From(new SubscribedPlan(next, plan), zone, now)));
    }

    /// <summary>
    /// Stores a new subscription with the entitlements its plan grants (ending <paramref name="ending"/>
    /// where it starts) and refreshes the customer's rating grain; a 409 when it would overlap another.
    /// </summary>
    private static async Task<IResult?> StartAsync(
        Subscription subscription, Plan plan, Subscription? ending, TimeZoneInfo zone, IFeatureStore features, ISubscriptionStore store, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var byKey = (await features.ListAsync(subscription.TenantId, cancellationToken)).Where(f => f.ArchivedAt is null).ToDictionary(f => f.Key, StringComparer.Ordinal);
        try
        {
            await store.CreateAsync(subscription, SubscriptionTerms.Entitlements(subscription, plan, byKey, zone), ending, cancellationToken);
        }
        catch (LedgerConflictException conflict)
        {
            return RatingJson.Conflict(conflict.Field, conflict.Message);
        }

        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(subscription.TenantId, subscription.CustomerId)).RefreshAsync();
        return null;
    }

    /// <summary>The zone a customer's periods are cut in (UTC for a customer not found, whose request fails anyway).</summary>
    internal static TimeZoneInfo Zone(Customer? customer) => customer is null ? TimeZoneInfo.Utc : TimeZones.Find(customer.TimeZone);

    /// <summary>The zone of the subscription's customer (UTC once the customer is deleted).</summary>
    private static async Task<TimeZoneInfo> ZoneAsync(ICustomerStore customers, Subscription subscription, CancellationToken cancellationToken) =>
        Zone(await customers.GetAsync(subscription.TenantId, subscription.CustomerId, cancellationToken));
}
