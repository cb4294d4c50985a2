using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tally.Billing;
using Tally.Billing.Closing;
using Tally.ServiceDefaults;

namespace Tally.Invoicer.Closing;

/// <summary>
/// <c>GET /api/v1/billing/events?after=&amp;limit=</c> (Tally's own): the tenant's billing events in queue
/// order — invoice issued, voided, approval required, a customer's close parked — the same events Kafka
/// and webhooks get; page with <c>after</c> = the last id seen.
/// </summary>
public static class BillingEventEndpoints
{
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapBillingEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/billing/events", async (HttpContext context, IBillingOutbox outbox, string? after, int? limit) =>
        {
            if (limit is < 1 or > MaxLimit)
            {
                return Problems.Validation("limit", $"is {limit}; use a whole number from 1 to {MaxLimit}.");
            }

            if (after is not null && Limits.IdentifierProblem(after) is { } problem)
            {
                return Problems.Validation("after", problem);
            }

            var events = await outbox.ListAsync(context.User.GetTenantId(), after, limit ?? 100, context.RequestAborted);
            return Results.Ok(events.Select(e => new { e.Id, e.Type, e.InvoiceId, e.CreatedAt, Data = JsonDocument.Parse(e.Payload).RootElement }));
        }).RequireAuthorization(TallyClaims.TenantPolicy);
        return routes;
    }
}
