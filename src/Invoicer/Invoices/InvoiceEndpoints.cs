using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Invoices;
using Tally.Billing.Tenants;
using Tally.ServiceDefaults;

namespace Tally.Invoicer.Invoices;

/// <summary>Invoices and period close: tenant routes under <c>/api/v1</c>, all tenants under <c>/api/admin</c>.</summary>
public static class InvoiceEndpoints
{
    public static IEndpointRouteBuilder MapInvoicing(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1").RequireAuthorization(TallyClaims.TenantPolicy);
        tenant.MapGet("/invoices", async (HttpContext context, IInvoiceStore store, string? customerId) =>
        {
            var items = await store.ListAsync(context.User.GetTenantId(), customerId, context.RequestAborted);
            return Results.Ok(new InvoiceListResponse(1, items.Count, items.Count, [.. items.Select(InvoiceResponse.From)]));
        });
        tenant.MapGet("/invoices/{invoiceId}", async (string invoiceId, HttpContext context, IInvoiceStore store) =>
            await store.GetAsync(context.User.GetTenantId(), invoiceId, context.RequestAborted) is { } invoice
                ? Results.Ok(InvoiceResponse.From(invoice))
                : Problems.NotFound("invoice", invoiceId));
        tenant.MapPost("/period-closes", async (HttpContext context, PeriodClose close) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<ClosePeriodRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            return await CloseAsync(close, [context.User.GetTenantId()], request!.Period, results => Results.Ok(results[0]), context.RequestAborted);
        });

        routes.MapPost("/api/admin/period-closes", async (HttpContext context, PeriodClose close, ITenantStore tenants) =>
        {
            var (request, problem) = await JsonBody.ReadAsync<ClosePeriodRequest>(context.Request);
            if (problem is not null)
            {
                return problem;
            }

            IReadOnlyList<string> ids;
            if (request!.TenantId is null)
            {
                ids = [.. (await tenants.ListAsync(context.RequestAborted)).Select(t => t.Id)];
            }
            else if (await tenants.GetAsync(request.TenantId, context.RequestAborted) is null)
            {
                return Problems.NotFound("tenant", request.TenantId);
            }
            else
            {
                ids = [request.TenantId];
            }

            return await CloseAsync(close, ids, request.Period, results => Results.Ok(new { closes = results }), context.RequestAborted);
        }).RequireAuthorization(TallyClaims.AdminPolicy);
        return routes;
    }

    private static async Task<IResult> CloseAsync(
        PeriodClose close,
        IReadOnlyList<string> tenantIds,
        string? periodText,
        Func<IReadOnlyList<ClosePeriodResponse>, IResult> answer,
        CancellationToken cancellationToken)
    {
        if (!BillingPeriod.TryParse(periodText, out var period))
        {
            return Problems.Validation("period", $"is '{periodText}'; give a month as yyyy-MM between {Limits.FirstPeriodYear}-01 and {Limits.LastPeriodYear}-12, such as 2026-11.");
        }

        var results = new List<ClosePeriodResponse>();
        try
        {
            foreach (var tenantId in tenantIds)
            {
                results.Add(ClosePeriodResponse.From(await close.CloseAsync(tenantId, period, cancellationToken)));
            }
        }
        catch (PeriodNotEndedException notEnded)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Period not ended",
                detail: notEnded.Message,
                type: "https://tally.dev/problems/period-not-ended",
                extensions: new Dictionary<string, object?> { ["errors"] = new[] { new FieldError("period", notEnded.Message) } });
        }

        return answer(results);
    }
}
