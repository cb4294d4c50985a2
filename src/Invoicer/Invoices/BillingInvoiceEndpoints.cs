using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Payments;
using Tally.Billing.Tenants;
using Tally.ServiceDefaults;

namespace Tally.Invoicer.Invoices;

/// <summary>
/// OpenMeter's invoice routes: list, get, approve, advance, void and retry. Approving or retrying is a
/// signal to the invoice's close run; the run's worker issues and pushes it moments later.
/// </summary>
public static class BillingInvoiceEndpoints
{
    public static IEndpointRouteBuilder MapBillingInvoices(this IEndpointRouteBuilder routes)
    {
        var invoices = routes.MapGroup("/api/v1/billing/invoices").RequireAuthorization(TallyClaims.TenantPolicy);
        invoices.MapGet("", ListAsync);
        invoices.MapGet("/{invoiceId}", async (string invoiceId, HttpContext context, IInvoiceStore store, ICustomerStore customers, ITenantStore tenants) =>
        {
            var tenantId = context.User.GetTenantId();
            var invoice = await store.GetAsync(tenantId, invoiceId, context.RequestAborted);
            var expand = context.Request.Query["expand"];
            return invoice is null
                ? Problems.NotFound("invoice", invoiceId)
                : Results.Ok(await RespondAsync(invoice, customers, tenants, withLines: expand.Count == 0 || expand.Contains("lines"), context.RequestAborted));
        });
        invoices.MapPost("/{invoiceId}/approve", (string invoiceId, HttpContext context, IInvoiceStore store, ICloseRunStore runs, ICustomerStore customers, ITenantStore tenants, TimeProvider clock) =>
            SignalAsync(invoiceId, CloseSignal.Approve, context, store, runs, customers, tenants, clock));
        invoices.MapPost("/{invoiceId}/advance", (string invoiceId, HttpContext context, IInvoiceStore store, ICloseRunStore runs, ICustomerStore customers, ITenantStore tenants, TimeProvider clock) =>
            SignalAsync(invoiceId, CloseSignal.Approve, context, store, runs, customers, tenants, clock));
        invoices.MapPost("/{invoiceId}/retry", (string invoiceId, HttpContext context, IInvoiceStore store, ICloseRunStore runs, ICustomerStore customers, ITenantStore tenants, TimeProvider clock) =>
            SignalAsync(invoiceId, CloseSignal.Retry, context, store, runs, customers, tenants, clock));
        invoices.MapPost("/{invoiceId}/void", VoidAsync);
        return routes;
    }

    internal static async Task<InvoiceResponse> RespondAsync(Invoice invoice, ICustomerStore customers, ITenantStore tenants, bool withLines, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(invoice.TenantId, invoice.CustomerId, cancellationToken);
        var tenant = await tenants.GetAsync(invoice.TenantId, cancellationToken);
        return InvoiceResponse.From(invoice, customer, tenant?.Name ?? invoice.TenantId, withLines);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IInvoiceStore store, ICustomerStore customers, ITenantStore tenants, IGatheringInvoices gathering)
    {
        var tenantId = context.User.GetTenantId();
        var query = context.Request.Query;
        var errors = new List<FieldError>();
        var paging = Paging.Read(query, errors);
        var statuses = new List<InvoiceStatus>();
        var gatheringAsked = false;
        foreach (var status in query["statuses"].OfType<string>())
        {
            switch (status)
            {
                case "draft":
                    statuses.AddRange([InvoiceStatus.Draft, InvoiceStatus.PendingApproval]);
                    break;
                case "issued":
                    statuses.Add(InvoiceStatus.Issued);
                    break;
                case "voided":
                    statuses.Add(InvoiceStatus.Voided);
                    break;
                case "gathering":
                    gatheringAsked = true;
                    break;
                default:
                    errors.Add(new FieldError("statuses", $"'{status}' is not an invoice status; use gathering (the live bills), draft, issued or voided."));
                    break;
            }
        }

        var customerIds = new List<string>();
        foreach (var idOrKey in query["customers"].Concat(query["customerId"]).OfType<string>())
        {
            if (await customers.GetAsync(tenantId, idOrKey, context.RequestAborted) is { } customer)
            {
                customerIds.Add(customer.Id);
            }
            else
            {
                errors.Add(new FieldError("customers", $"'{idOrKey}' is neither the id nor the key of one of your customers."));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var withLines = query["expand"].Contains("lines");
        if (gatheringAsked)
        {
            return Results.Ok(await WithGatheringAsync(tenantId, customerIds, statuses, withLines, paging, store, customers, tenants, gathering, context.RequestAborted));
        }

        var (items, total) = await store.ListAsync(tenantId, new InvoiceFilter { CustomerIds = customerIds, Statuses = statuses, Page = paging.Page, PageSize = paging.PageSize }, context.RequestAborted);
        var byId = (await customers.ListAsync(tenantId, context.RequestAborted)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var name = (await tenants.GetAsync(tenantId, context.RequestAborted))?.Name ?? tenantId;
        return Results.Ok(new Paginated<InvoiceResponse>(total, paging.Page, paging.PageSize, [.. items.Select(i => InvoiceResponse.From(i, byId.GetValueOrDefault(i.CustomerId), name, withLines))]));
    }

    /// <summary>
    /// The live (gathering) invoices first, then the stored ones of the other statuses asked for, paged
    /// together. Gathering invoices are computed per customer, so they are listed only when asked for.
    /// </summary>
    private static async Task<Paginated<object>> WithGatheringAsync(
        string tenantId,
        IReadOnlyList<string> customerIds,
        IReadOnlyList<InvoiceStatus> statuses,
        bool withLines,
        Paging paging,
        IInvoiceStore store,
        ICustomerStore customers,
        ITenantStore tenants,
        IGatheringInvoices gathering,
        CancellationToken cancellationToken)
    {
        var items = new List<object>();
        items.AddRange((await gathering.ListAsync(tenantId, customerIds, withLines, cancellationToken)).Cast<object>());
        if (statuses.Count > 0)
        {
            var byId = (await customers.ListAsync(tenantId, cancellationToken)).ToDictionary(c => c.Id, StringComparer.Ordinal);
            var name = (await tenants.GetAsync(tenantId, cancellationToken))?.Name ?? tenantId;
            var (stored, _) = await store.ListAsync(tenantId, new InvoiceFilter { CustomerIds = customerIds, Statuses = statuses, Page = 1, PageSize = int.MaxValue }, cancellationToken);
            items.AddRange(stored.Select(i => InvoiceResponse.From(i, byId.GetValueOrDefault(i.CustomerId), name, withLines)));
        }

        return paging.Cut(items);
    }

    private static async Task<IResult> SignalAsync(string invoiceId, CloseSignal signal, HttpContext context, IInvoiceStore store, ICloseRunStore runs, ICustomerStore customers, ITenantStore tenants, TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var invoice = await store.GetAsync(tenantId, invoiceId, context.RequestAborted);
        if (invoice is null)
        {
            return Problems.NotFound("invoice", invoiceId);
        }

        var task = invoice.CloseRunId is { } runId
            ? await runs.SignalAsync(tenantId, runId, invoice.CustomerId, signal, context.User.Identity?.Name ?? tenantId, clock.GetUtcNow(), context.RequestAborted)
            : null;
        if (task is null)
        {
            return Problems.Conflict("status", signal switch
            {
                CloseSignal.Retry => $"invoice {invoiceId} is not waiting for a retry (only an invoice whose close is parked after a failure can be retried).",
                _ => $"invoice {invoiceId} is {InvoiceResponse.StatusName(invoice.Status)} and not waiting for approval.",
            });
        }

        return Results.Ok(await RespondAsync((await store.GetAsync(tenantId, invoiceId, context.RequestAborted))!, customers, tenants, withLines: true, context.RequestAborted));
    }

    private static async Task<IResult> VoidAsync(string invoiceId, HttpContext context, IInvoiceStore store, ICloseRunStore runs, ICustomerStore customers, ITenantStore tenants, IPaymentProcessor payments, TimeProvider clock)
    {
        var tenantId = context.User.GetTenantId();
        var (request, problem) = await JsonBody.ReadAsync<VoidInvoiceRequest>(context.Request);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(request!.Reason) || request.Reason.Length > 1024)
        {
            return Problems.Validation("reason", "is required: say in 1-1024 characters why the invoice is voided.");
        }

        var invoice = await store.GetAsync(tenantId, invoiceId, context.RequestAborted);
        switch (invoice?.Status)
        {
            case null:
                return Problems.NotFound("invoice", invoiceId);
            case InvoiceStatus.PendingApproval when invoice.CloseRunId is { } runId:
                // Voiding a draft that waits for approval is rejecting it.
                await runs.SignalAsync(tenantId, runId, invoice.CustomerId, CloseSignal.Reject, context.User.Identity?.Name ?? tenantId, clock.GetUtcNow(), context.RequestAborted);
                break;
            case InvoiceStatus.Issued:
                if (invoice.ExternalId is not null && await customers.GetAsync(tenantId, invoice.CustomerId, context.RequestAborted) is { } customer)
                {
                    // The processor's invoice goes first: a ledger void that Stripe never saw would leave the customer billed.
                    try
                    {
                        await payments.VoidAsync(tenantId, customer.Id, PaymentDocument.KeyOf(invoice), context.RequestAborted);
                    }
                    catch (PaymentProcessorUnavailableException unavailable)
                    {
                        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Payment processor unavailable", detail: $"The invoice was not voided: {unavailable.Message} Try again.", type: "https://tally.dev/problems/payment-processor-unavailable");
                    }
                    catch (PaymentProcessorRejectedException refused)
                    {
                        return Problems.Conflict("status", $"the payment processor refused to void invoice {invoiceId}: {refused.Message}");
                    }
                }

                await store.VoidAsync(tenantId, invoiceId, request.Reason, clock.GetUtcNow(), context.RequestAborted);
                break;
            default:
                return Problems.Conflict("status", $"invoice {invoiceId} is {InvoiceResponse.StatusName(invoice.Status)}; only issued invoices and drafts waiting for approval can be voided.");
        }

        return Results.Ok(await RespondAsync((await store.GetAsync(tenantId, invoiceId, context.RequestAborted))!, customers, tenants, withLines: true, context.RequestAborted));
    }
}

/// <summary>OpenMeter's <c>VoidInvoiceActionInput</c>; Tally uses the reason and discards the lines (nothing is re-billed).</summary>
public sealed class VoidInvoiceRequest
{
    public string? Reason { get; set; }

    public System.Text.Json.JsonElement? Action { get; set; }
}
