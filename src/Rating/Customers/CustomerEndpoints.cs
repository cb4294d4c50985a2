using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Subscriptions;
using Tally.Rating.Live;
using Tally.Rating.Subscriptions;
using Tally.ServiceDefaults;

namespace Tally.Rating.Customers;

/// <summary>OpenMeter's customer routes: <c>/api/v1/customers</c> (CRUD, access, subscriptions).</summary>
public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomers(this IEndpointRouteBuilder routes)
    {
        var customers = routes.MapGroup("/api/v1/customers").RequireAuthorization(TallyClaims.TenantPolicy);
        customers.MapPost("", CreateAsync);
        customers.MapGet("", ListAsync);
        customers.MapGet("/{customerIdOrKey}", GetAsync);
        customers.MapPut("/{customerIdOrKey}", UpdateAsync);
        customers.MapDelete("/{customerIdOrKey}", DeleteAsync);
        customers.MapGet("/{customerIdOrKey}/subscriptions", SubscriptionsAsync);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ICustomerStore store, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var now = clock.GetUtcNow();
        var errors = body.Errors;
        var customer = CustomerBody.Read(body.Root, context.User.GetTenantId(), Ids.NewUlid(now), now, errors);
        if (customer is null)
        {
            return Problems.Validation(errors);
        }

        await store.CreateAsync(customer, context.RequestAborted);
        return RatingJson.Created($"/api/v1/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    private static async Task<IResult> ListAsync(HttpContext context, ICustomerStore store, ISubscriptionStore subscriptions, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var query = context.Request.Query;
        var tenantId = context.User.GetTenantId();
        var includeDeleted = query["includeDeleted"] == "true";
        IEnumerable<Customer> list = await store.ListAsync(tenantId, context.RequestAborted, includeDeleted);
        bool Contains(string? value, string filter) => value?.Contains(filter, StringComparison.OrdinalIgnoreCase) == true;
        if (query["key"].ToString() is { Length: > 0 } key)
        {
            list = list.Where(c => Contains(c.Key, key));
        }

        if (query["name"].ToString() is { Length: > 0 } name)
        {
            list = list.Where(c => Contains(c.Name, name));
        }

        if (query["primaryEmail"].ToString() is { Length: > 0 } email)
        {
            list = list.Where(c => Contains(c.PrimaryEmail, email));
        }

        if (query["subject"].ToString() is { Length: > 0 } subject)
        {
            list = list.Where(c => c.SubjectKeys.Any(s => Contains(s, subject)));
        }

        var orderBy = query["orderBy"].ToString();
        if (orderBy is not ("" or "id" or "name" or "createdAt"))
        {
            return Problems.Validation("orderBy", $"is '{orderBy}'; use id, name or createdAt.");
        }

        list = orderBy == "name" ? list.OrderBy(c => c.Name, StringComparer.Ordinal) : list.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id, StringComparer.Ordinal);
        if (query["order"] == "DESC")
        {
            list = list.Reverse();
        }

        var expand = query["expand"].Contains("subscriptions");
        var planKey = query["planKey"].ToString();
        var now = clock.GetUtcNow();
        var items = new List<CustomerResponse>();
        foreach (var customer in list)
        {
            var subscribed = expand || planKey.Length > 0 ? await subscriptions.ListForCustomerAsync(tenantId, customer.Id, context.RequestAborted) : [];
            if (planKey.Length > 0 && !subscribed.Any(s => s.PlanKey == planKey && s.StatusAt(now) is SubscriptionStatus.Active or SubscriptionStatus.Canceled))
            {
                continue;
            }

            items.Add(CustomerResponse.From(customer, null, expand ? [.. subscribed.Select(s => SubscriptionResponse.From(s, SubscriptionEndpoints.Zone(customer), now))] : null));
        }

        return RatingJson.Ok(paging.Cut(items));
    }

    private static async Task<IResult> GetAsync(string customerIdOrKey, HttpContext context, ICustomerStore store, ISubscriptionStore subscriptions, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await store.GetAsync(tenantId, customerIdOrKey, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound("customer", customerIdOrKey);
        }

        var now = clock.GetUtcNow();
        var subscribed = await subscriptions.ListForCustomerAsync(tenantId, customer.Id, context.RequestAborted);
        var current = subscribed.FirstOrDefault(s => s.StatusAt(now) is SubscriptionStatus.Active or SubscriptionStatus.Canceled)?.Id;
        var expand = context.Request.Query["expand"].Contains("subscriptions");
        return RatingJson.Ok(CustomerResponse.From(customer, current, expand ? [.. subscribed.Select(s => SubscriptionResponse.From(s, SubscriptionEndpoints.Zone(customer), now))] : null));
    }

    private static async Task<IResult> UpdateAsync(
        string customerIdOrKey, HttpContext context, ICustomerStore store, ISubscriptionStore subscriptions, IGrainFactory grains, CustomerLookupCache lookups, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await store.GetAsync(tenantId, customerIdOrKey, context.RequestAborted) is not { } existing)
        {
            return Problems.NotFound("customer", customerIdOrKey);
        }

        using var body = await RequestBody.ReadAsync(context.Request);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var now = clock.GetUtcNow();
        var errors = body.Errors;
        var replaced = CustomerBody.Read(body.Root, tenantId, existing.Id, existing.CreatedAt, errors);
        if (replaced is null)
        {
            return Problems.Validation(errors);
        }

        if (existing.Currency is { } currency && replaced.Currency is { } asked && asked != currency)
        {
            return Problems.Validation("currency", $"is {asked}; the customer pays in {currency} (one currency per customer).");
        }

        // Absent, the zone stays. It changes only before any subscription has started: started ones have
        // periods cut in the old zone (some invoiced), and moving their boundaries would bill time twice or never.
        if (!body.Fields.Has(body.Root, "timezone"))
        {
            replaced = replaced with { TimeZone = existing.TimeZone };
        }
        else if (replaced.TimeZone != existing.TimeZone
            && (await subscriptions.ListForCustomerAsync(tenantId, existing.Id, context.RequestAborted)).FirstOrDefault(s => s.ActiveFrom <= now) is { } started)
        {
            return Problems.Validation("timezone", $"is \"{replaced.TimeZone}\"; the customer's billing periods are cut in {existing.TimeZone} since subscription {started.Id} started, so the time zone can no longer change.");
        }

        replaced = replaced with { Currency = replaced.Currency ?? existing.Currency, UpdatedAt = now };
        await store.UpdateAsync(replaced, context.RequestAborted);
        lookups.Forget(existing);
        lookups.Forget(replaced);
        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, existing.Id)).RefreshAsync();
        return RatingJson.Ok(CustomerResponse.From(replaced));
    }

    private static async Task<IResult> DeleteAsync(string customerIdOrKey, HttpContext context, ICustomerStore store, ISubscriptionStore subscriptions, IGrainFactory grains, CustomerLookupCache lookups, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await store.GetAsync(tenantId, customerIdOrKey, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound("customer", customerIdOrKey);
        }

        var now = clock.GetUtcNow();
        if ((await subscriptions.ListForCustomerAsync(tenantId, customer.Id, context.RequestAborted)).FirstOrDefault(s => s.StatusAt(now) != SubscriptionStatus.Inactive) is { } live)
        {
            return RatingJson.Conflict("customer", $"customer {customer.Key} has subscription {live.Id} in force or scheduled; cancel it first.");
        }

        await store.DeleteAsync(tenantId, customer.Id, now, context.RequestAborted);
        lookups.Forget(customer);
        await grains.GetGrain<ICustomerRatingGrain>(RatingKeys.Customer(tenantId, customer.Id)).RefreshAsync();
        return Results.NoContent();
    }

    private static async Task<IResult> SubscriptionsAsync(string customerIdOrKey, HttpContext context, ICustomerStore store, ISubscriptionStore subscriptions, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var (paging, badPage) = Paging.From(context.Request);
        if (badPage is not null)
        {
            return badPage;
        }

        var tenantId = context.User.GetTenantId();
        if (await store.GetAsync(tenantId, customerIdOrKey, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound("customer", customerIdOrKey);
        }

        var now = clock.GetUtcNow();
        var statuses = context.Request.Query["status"].Select(s => s ?? "").Where(s => s.Length > 0).ToHashSet(StringComparer.Ordinal);
        var list = (await subscriptions.ListForCustomerAsync(tenantId, customer.Id, context.RequestAborted))
            .Select(s => SubscriptionResponse.From(s, SubscriptionEndpoints.Zone(customer), now))
            .Where(s => statuses.Count == 0 || statuses.Contains(s.Status))
            .ToList();
        if (context.Request.Query["orderBy"] == "activeTo")
        {
            list = [.. list.OrderBy(s => s.ActiveTo ?? DateTime.MaxValue)];
        }

        if (context.Request.Query["order"] == "DESC")
        {
            list.Reverse();
        }

        return RatingJson.Ok(paging.Cut(list));
    }
}
