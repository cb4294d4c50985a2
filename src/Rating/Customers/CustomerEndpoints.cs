using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Catalog;
using Tally.Billing.Customers;
using Tally.ServiceDefaults;

namespace Tally.Rating.Customers;

/// <summary>Customer routes, subscriptions, and the live charges of a customer.</summary>
public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomers(this IEndpointRouteBuilder routes)
    {
        var customers = routes.MapGroup("/api/v1/customers").RequireAuthorization(TallyClaims.TenantPolicy);
        customers.MapPost("", CreateAsync);
        customers.MapGet("", async (HttpContext context, ICustomerStore store) =>
            Results.Ok((await store.ListAsync(context.User.GetTenantId(), context.RequestAborted)).Select(CustomerResponse.From)));
        customers.MapGet("/{customerIdOrKey}", async (string customerIdOrKey, HttpContext context, ICustomerStore store) =>
            await store.GetAsync(context.User.GetTenantId(), customerIdOrKey, context.RequestAborted) is { } customer
                ? Results.Ok(CustomerResponse.From(customer))
                : Problems.NotFound("customer", customerIdOrKey));
        customers.MapGet("/{customerIdOrKey}/charges", ChargesAsync);
        routes.MapPost("/api/v1/subscriptions", SubscribeAsync).RequireAuthorization(TallyClaims.TenantPolicy);
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ICustomerStore store, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateCustomerRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request!.Key))
        {
            errors.Add(new FieldError("key", $"is required: your own id for the customer, at most {Limits.Identifier} characters."));
        }
        else if (Limits.IdentifierProblem(request.Key) is { } keyProblem)
        {
            errors.Add(new FieldError("key", keyProblem));
        }

        if (request.Name is not null && Limits.IdentifierProblem(request.Name, Limits.Name) is { } nameProblem)
        {
            errors.Add(new FieldError("name", nameProblem));
        }

        if (!Currency.TryParse(request.Currency ?? "USD", out var currency))
        {
            errors.Add(new FieldError("currency", $"is '{request.Currency}'; use one of: {string.Join(", ", Currency.SupportedCodes)}."));
        }

        var subjects = request.UsageAttribution?.SubjectKeys ?? (request.Key is null ? [] : [request.Key]);
        if (subjects.Count == 0 || subjects.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(new FieldError("usageAttribution.subjectKeys", "must list at least one non-empty subject (the CloudEvent subject of this customer's usage)."));
        }
        else if (subjects.Count > Limits.SubjectKeys)
        {
            errors.Add(new FieldError("usageAttribution.subjectKeys", $"lists {subjects.Count} subjects; a customer has at most {Limits.SubjectKeys}."));
        }
        else if (subjects.Select((subject, i) => (i, Limits.IdentifierProblem(subject))).FirstOrDefault(p => p.Item2 is not null) is (var index, { } subjectProblem))
        {
            errors.Add(new FieldError($"usageAttribution.subjectKeys[{index}]", subjectProblem));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var customer = new Customer(
            context.User.GetTenantId(), Ids.New("cus"), request.Key!, request.Name ?? request.Key!, [.. subjects.Distinct(StringComparer.Ordinal)], currency, clock.GetUtcNow());
        await store.CreateAsync(customer, context.RequestAborted);

        return Results.Created($"/api/v1/customers/{customer.Id}", CustomerResponse.From(customer));
    }

    private static async Task<IResult> SubscribeAsync(HttpContext context, ICustomerStore customers, IPlanStore plans, TimeProvider clock)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateSubscriptionRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        var tenantId = context.User.GetTenantId();
        var customer = request!.CustomerId is null ? null : await customers.GetAsync(tenantId, request.CustomerId, context.RequestAborted);
        var plan = request.Plan?.Key is null ? null : await plans.GetAsync(tenantId, request.Plan.Key, context.RequestAborted);
        var errors = new List<FieldError>();
        if (customer is null)
        {
            errors.Add(new FieldError("customerId", $"'{request.CustomerId}' is not one of your customers (id or key)."));
        }

        if (plan is null)
        {
            errors.Add(new FieldError("plan.key", $"'{request.Plan?.Key}' is not one of your plans."));
        }

        if (request.ActiveFrom is { } activeFrom && !Limits.IsStorable(activeFrom))
        {
            errors.Add(new FieldError("activeFrom", $"is {activeFrom:O}; a subscription starts {Limits.StorableRange}."));
        }

        if (customer is not null && plan is not null && customer.Currency != plan.Currency)
        {
            errors.Add(new FieldError("plan.key", $"plan {plan.Key} is priced in {plan.Currency}, customer {customer.Key} pays in {customer.Currency}."));
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var subscription = new Subscription(tenantId, Ids.New("sub"), customer!.Id, plan!.Id, (request.ActiveFrom ?? clock.GetUtcNow()).ToUniversalTime(), clock.GetUtcNow());
        await customers.CreateSubscriptionAsync(subscription, context.RequestAborted);

        return Results.Created(
            $"/api/v1/subscriptions/{subscription.Id}",
            new SubscriptionResponse(subscription.Id, customer.Id, plan.Id, plan.Key, subscription.ActiveFrom.UtcDateTime, subscription.CreatedAt.UtcDateTime));
    }

    private static async Task<IResult> ChargesAsync(string customerIdOrKey, HttpContext context, ICustomerStore customers, IGrainFactory grains)
    {
        var tenantId = context.User.GetTenantId();
        var customer = await customers.GetAsync(tenantId, customerIdOrKey, context.RequestAborted);
        if (customer is null)
        {
            return Problems.NotFound("customer", customerIdOrKey);
        }

        var charges = await grains.GetGrain<ICustomerChargesGrain>($"{tenantId}/{customer.Id}").GetCurrentAsync();
        return charges is null
            ? Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "No subscription",
                detail: $"Customer {customer.Key} has no subscription in the current period; subscribe it with POST /api/v1/subscriptions.",
                type: "https://tally.dev/problems/no-subscription")
            : Results.Ok(charges);
    }
}
