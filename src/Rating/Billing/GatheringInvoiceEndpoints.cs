using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing.Customers;
using Tally.Billing.Rating;
using Tally.Billing.Subscriptions;
using Tally.ServiceDefaults;

namespace Tally.Rating.Billing;

/// <summary>
/// <c>GET /api/v1/billing/invoices</c> for the <c>gathering</c> status: every customer's live bill of the
/// current month, computed on the fly by its rating grain (<see cref="ILiveBills"/>). Issued invoices
/// join this list once the period close serves them here; until then any other status lists nothing.
/// Also <c>GET /api/v1/customers/{customer}/charges</c>, kept as an alias: that customer's gathering invoice with lines.
/// </summary>
public static class GatheringInvoiceEndpoints
{
    public static IEndpointRouteBuilder MapGatheringInvoices(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1").RequireAuthorization(TallyClaims.TenantPolicy);
        tenant.MapGet("/billing/invoices", ListAsync);
        tenant.MapGet("/customers/{customerIdOrKey}/charges", ChargesAsync);
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext context, ICustomerStore customers, ISubscriptionStore subscriptions, ILiveBills bills, [FromKeyedServices(RatingClock.Key)] TimeProvider clock)
    {
        var (paging, error) = Paging.From(context.Request);
        if (error is not null)
        {
            return Problems.Validation([error]);
        }

        var query = context.Request.Query;
        var statuses = query["statuses"].Where(s => !string.IsNullOrEmpty(s)).ToList();
        if (statuses.Count > 0 && !statuses.Contains("gathering"))
        {
            return RatingJson.Ok(paging.Cut(Array.Empty<object>()));
        }

        var tenantId = context.User.GetTenantId();
        var now = clock.GetUtcNow();
        var wanted = query["customers"].Where(s => !string.IsNullOrEmpty(s)).ToHashSet(StringComparer.Ordinal);
        var period = Tally.Billing.BillingPeriod.Containing(now);
        var subscribed = (await subscriptions.ListInForceAsync(tenantId, period.From, period.To, context.RequestAborted)).Select(s => s.CustomerId).ToHashSet(StringComparer.Ordinal);
        var withLines = query["expand"].Contains("lines");
        var invoices = new List<object>();
        foreach (var customer in await customers.ListAsync(tenantId, context.RequestAborted))
        {
            if (!subscribed.Contains(customer.Id) || (wanted.Count > 0 && !wanted.Contains(customer.Id) && !wanted.Contains(customer.Key)))
            {
                continue;
            }

            if (await bills.CurrentAsync(tenantId, customer.Id, context.RequestAborted) is { } bill)
            {
                invoices.Add(GatheringInvoice.From(customer, bill, withLines, now));
            }
        }

        return RatingJson.Ok(paging.Cut(invoices));
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
