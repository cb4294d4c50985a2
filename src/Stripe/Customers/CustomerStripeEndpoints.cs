using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Tally.Billing;
using Tally.Billing.Customers;
using Tally.Billing.Payments;
using Tally.ServiceDefaults;
using Tally.Stripe.Apps;
using Tally.Stripe.Push;

namespace Tally.Stripe.Customers;

/// <summary>
/// OpenMeter's <c>GET/PUT /api/v1/customers/{customerIdOrKey}/stripe</c>: link a customer to an existing
/// Stripe customer (checked in the tenant's Stripe account), which every push then uses as it is.
/// GET answers the link, or else the Stripe customer Tally created for the customer.
/// </summary>
public static class CustomerStripeEndpoints
{
    public static IEndpointRouteBuilder MapCustomerStripe(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/customers/{customerIdOrKey}/stripe").RequireAuthorization(TallyClaims.TenantPolicy);
        group.MapGet("", GetAsync);
        group.MapPut("", PutAsync);
        return routes;
    }

    private static async Task<IResult> GetAsync(string customerIdOrKey, HttpContext context, ICustomerStore customers, IPaymentAppStore apps, IPaymentObjectStore objects)
    {
        var tenantId = context.User.GetTenantId();
        var (customer, app, problem) = await ResolveAsync(tenantId, customerIdOrKey, customers, apps, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        if (await apps.GetLinkAsync(tenantId, app!.Id, customer!.Id, context.RequestAborted) is { } link)
        {
            return Results.Ok(new StripeCustomerDataResponse(app.Id, PaymentApp.StripeType, link.ExternalCustomerId, link.DefaultPaymentMethodId, StripeAppResponse.From(app)));
        }

        var key = StripeObjectKeys.Customer(customer.Id);
        return (await objects.FindAsync(tenantId, app.AccountNamespace, [key], context.RequestAborted)).GetValueOrDefault(key)?.ExternalId is { } created
            ? Results.Ok(new StripeCustomerDataResponse(app.Id, PaymentApp.StripeType, created, null, StripeAppResponse.From(app)))
            : Problems.NotFound("Stripe customer data for customer", customerIdOrKey);
    }

    private static async Task<IResult> PutAsync(
        string customerIdOrKey, HttpContext context, ICustomerStore customers, IPaymentAppStore apps, StripeApps installed, StripeAccounts stripe, TimeProvider clock, ILogger<StripeApps> logger)
    {
        var (request, bodyProblem) = await JsonBody.ReadAsync<StripeCustomerDataRequest>(context.Request);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (string.IsNullOrEmpty(request!.StripeCustomerId) || !request.StripeCustomerId.StartsWith("cus_", StringComparison.Ordinal) || request.StripeCustomerId.Length > Limits.Key)
        {
            return Problems.Validation("stripeCustomerId", "is required: the id of a customer in your Stripe account (cus_…).");
        }

        var tenantId = context.User.GetTenantId();
        var (customer, app, problem) = await ResolveAsync(tenantId, customerIdOrKey, customers, apps, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var apiKey = installed.OpenKey(app!);
            if (await stripe.FindCustomerAsync(apiKey, request.StripeCustomerId, context.RequestAborted) is null)
            {
                return Problems.Validation("stripeCustomerId", $"'{request.StripeCustomerId}' is not a customer of Stripe account {app!.AccountId}.");
            }

            if (request.StripeDefaultPaymentMethodId is { } paymentMethodId
                && (await stripe.FindPaymentMethodAsync(apiKey, paymentMethodId, context.RequestAborted))?.CustomerId != request.StripeCustomerId)
            {
                return Problems.Validation("stripeDefaultPaymentMethodId", $"'{paymentMethodId}' is not a payment method of Stripe customer {request.StripeCustomerId}.");
            }
        }
        catch (PaymentProcessorUnavailableException unavailable)
        {
            return AppEndpoints.Unavailable(context, unavailable);
        }

        var link = new CustomerPaymentLink(tenantId, app!.Id, customer!.Id, request.StripeCustomerId, request.StripeDefaultPaymentMethodId, clock.GetUtcNow());
        await apps.UpsertLinkAsync(link, context.RequestAborted);
        StripeLog.CustomerLinked(logger, customer.Id, tenantId, link.ExternalCustomerId);
        return Results.Ok(new StripeCustomerDataResponse(app.Id, PaymentApp.StripeType, link.ExternalCustomerId, link.DefaultPaymentMethodId, StripeAppResponse.From(app)));
    }

    private static async Task<(Customer? Customer, PaymentApp? App, IResult? Problem)> ResolveAsync(
        string tenantId, string customerIdOrKey, ICustomerStore customers, IPaymentAppStore apps, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(tenantId, customerIdOrKey, cancellationToken);
        if (customer is null)
        {
            return (null, null, Problems.NotFound("customer", customerIdOrKey));
        }

        var app = await apps.FindByTypeAsync(tenantId, PaymentApp.StripeType, cancellationToken);
        return app is null
            ? (null, null, Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "No Stripe app",
                detail: "No Stripe app is installed; install one with POST /api/v1/marketplace/listings/stripe/install/apikey first.",
                type: "https://tally.dev/problems/no-stripe-app"))
            : (customer, app, null);
    }
}
