using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tally.Billing.Customers;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;
using Tally.ServiceDefaults;

namespace Tally.Rating.Billing;

/// <summary>
/// <c>GET /api/v1/customers/{customer}/charges</c>, kept as an alias of the customer's gathering invoice
/// with lines (<c>GET /api/v1/billing/invoices?statuses=gathering&amp;customers=…&amp;expand=lines</c>).
/// </summary>
public static class GatheringInvoiceEndpoints
{
    public static IEndpointRouteBuilder MapGatheringInvoices(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1").RequireAuthorization(TallyClaims.TenantPolicy);
        tenant.MapGet("/customers/{customerIdOrKey}/charges", ChargesAsync);
        return routes;
    }

    private static async Task<IResult> ChargesAsync(string customerIdOrKey, HttpContext context, ICustomerStore customers, ILiveBills bills, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        if (await customers.GetAsync(tenantId, customerIdOrKey, context.RequestAborted) is not { } customer)
        {
            return Problems.NotFound("customer", customerIdOrKey);
        }

        return await bills.CurrentAsync(tenantId, customer.Id, context.RequestAborted) is { } bill
            ? RatingJson.Ok(GatheringInvoice.From(customer, bill, withLines: true, clock.GetUtcNow()))
            : Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "No subscription",
                detail: $"Customer {customer.Key} has no subscription in the current period; subscribe it with POST /api/v1/subscriptions.",
                type: "https://tally.dev/problems/no-subscription");
    }
}
