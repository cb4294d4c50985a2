using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing.Closing;
using Tally.Billing.Customers;
using Tally.Billing.Invoices;
using Tally.Billing.Meters;
using Tally.Billing.Usage;
using Tally.Invoicer.Closing;
using Tally.ServiceDefaults;

namespace Tally.Invoicer.Invoices;

/// <summary>
/// <c>GET /api/v1/billing/invoices/{id}/explain</c> (Tally's own): every number of an invoice traced back
/// to where it came from — per line the meter, plan version and price, the frozen usage and the usage
/// per day as stored now, how many raw events stand behind it and where to list them; then the checks,
/// the approval and the close run's history for the customer.
/// </summary>
public static class InvoiceExplanation
{
    public static IEndpointRouteBuilder MapInvoiceExplanation(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/billing/invoices/{invoiceId}/explain", ExplainAsync).RequireAuthorization(TallyClaims.TenantPolicy);
        return routes;
    }

    private static async Task<IResult> ExplainAsync(
        string invoiceId,
        HttpContext context,
        IInvoiceStore invoices,
        ICustomerStore customers,
        IMeterStore meters,
        ICloseRunStore runs,
        IClosingUsage usage,
        IMeterQueryReader queries)
    {
        var tenantId = context.User.GetTenantId();
        var ct = context.RequestAborted;
        var invoice = await invoices.GetAsync(tenantId, invoiceId, ct);
        if (invoice is null)
        {
            return Problems.NotFound("invoice", invoiceId);
        }

        var customer = await customers.GetAsync(tenantId, invoice.CustomerId, ct);
        var run = invoice.CloseRunId is { } runId ? await runs.GetAsync(tenantId, runId, ct) : null;
        var frozen = run is null ? [] : await runs.FrozenUsageAsync(tenantId, run.Id, [invoice.CustomerId], ct);
        var history = run is null ? [] : await runs.HistoryAsync(tenantId, run.Id, invoice.CustomerId, ct);
        var subjects = customer?.SubjectKeys ?? [];
        var cutoff = invoice.UsageCutoff ?? invoice.CreatedAt;
        var lines = new List<object>();
        foreach (var line in invoice.Lines)
        {
            var meter = line.MeterSlug is { } slug ? await meters.GetAsync(tenantId, slug, ct) : null;
            var usageKey = Json(line.Detail) is { ValueKind: JsonValueKind.Object } detail && detail.TryGetProperty("usageKey", out var key) ? key.GetString() : null;
            if (meter is null || customer is null)
            {
                lines.Add(new { line.Key, line.Description, amount = InvoiceResponse.Format(line.Amount), covers = line.Covers?.ToString(), detail = Json(line.Detail) });
                continue;
            }

            var rows = await queries.QueryAsync(
                new MeterQuery(meter, invoice.PeriodFrom, invoice.PeriodTo, WindowSize.Day) { Subjects = subjects, CustomerBySubject = subjects.ToDictionary(s => s, _ => customer.Id), GroupByCustomer = true },
                ct);
            var events = await usage.CountEventsAsync(meter, new Dictionary<string, IReadOnlyList<string>>(), subjects, invoice.PeriodFrom, invoice.PeriodTo, null, cutoff, ct);
            lines.Add(new
            {
                line.Key,
                line.Description,
                feature = line.RateCardKey,
                meter = new { meter.Slug, meter.EventType, aggregation = meter.Aggregation.ToString().ToUpperInvariant(), meter.ValueProperty },
                quantity = InvoiceResponse.Format(line.Quantity),
                unitPrice = line.UnitPrice is { } price ? InvoiceResponse.Format(price) : null,
                amount = InvoiceResponse.Format(line.Amount),
                pricing = Json(line.Detail),
                frozenUsage = frozen.Where(f => f.UsageKey == usageKey && f.Covers == invoice.Period).Select(f => new { quantity = InvoiceResponse.Format(f.Quantity), f.Cutoff }),
                usageByDayNow = rows.Select(r => new { from = r.WindowStart, to = r.WindowEnd, value = InvoiceResponse.Format(r.Value) }),
                rawEvents = new
                {
                    count = events,
                    list = $"/api/v1/events?{string.Join('&', subjects.Select(s => "subject=" + Uri.EscapeDataString(s)))}&from={invoice.PeriodFrom:yyyy-MM-ddTHH:mm:ssZ}&to={invoice.PeriodTo:yyyy-MM-ddTHH:mm:ssZ}&storedAtTo={cutoff:yyyy-MM-ddTHH:mm:ss.fffZ}",
                },
            });
        }

        return Results.Ok(new
        {
            invoice = new { invoice.Id, invoice.Number, status = InvoiceResponse.StatusName(invoice.Status), period = invoice.Period.ToString(), from = invoice.PeriodFrom, to = invoice.PeriodTo, total = InvoiceResponse.Format(invoice.Total), currency = invoice.Currency.Code, usageCutoff = invoice.UsageCutoff, invoice.Corrects },
            customer = new { id = invoice.CustomerId, customer?.Key, subjectKeys = subjects },
            planVersion = history.Where(h => h.Outcome is "rated" or "usage frozen").Select(h => Json(h.Detail)).Select(d => d is { } e && e.TryGetProperty("planVersion", out var v) ? v.GetString() : null).FirstOrDefault(v => v is not null),
            lines,
            checks = invoice.Issues,
            approval = new { required = history.Any(h => h.Outcome == "approval required"), invoice.ReviewedBy, entries = history.Where(h => h.Step == nameof(CloseStep.Approval)).Select(CloseHistoryResponse.From) },
            closeRun = run is null ? null : CloseRunResponse.From(run),
            history = history.Select(CloseHistoryResponse.From),
        });
    }

    private static JsonElement? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}
